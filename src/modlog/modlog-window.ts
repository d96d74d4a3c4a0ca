import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { ModlogQuery } from './modlog-store.ts';

/**
 * A bounded view of the audit log in process memory, per stream in cursor
 * order: what the Kafka audit log builds from its topic. Adding an entry
 * twice changes nothing (a gateway adds its own when Kafka acknowledges it
 * and again when it reads it back). A stream keeps its newest `maxPerStream`;
 * beyond `maxTotal` over all streams, the stream written longest ago is
 * forgotten whole.
 */
export class ModlogWindow {
  readonly #byStream = new Map<string, ModlogEntry[]>();
  readonly #maxPerStream: number;
  readonly #maxTotal: number;
  #total = 0;

  constructor(maxPerStream: number, maxTotal: number) {
    this.#maxPerStream = maxPerStream;
    this.#maxTotal = maxTotal;
  }

  add(entry: ModlogEntry): void {
    let list = this.#byStream.get(entry.stream);
    if (list === undefined) list = [];
    else this.#byStream.delete(entry.stream); // re-inserted below: the Map's order is the order of the latest writes
    this.#byStream.set(entry.stream, list);
    // Mostly appended at the end; another gateway's older entry may arrive after our own newer one.
    let at = list.length;
    while (at > 0 && list[at - 1]!.cursor >= entry.cursor) at--;
    if (list[at]?.cursor === entry.cursor) return;
    list.splice(at, 0, entry);
    this.#total++;
    if (list.length > this.#maxPerStream) {
      list.shift();
      this.#total--;
    }
    while (this.#total > this.#maxTotal) {
      const [oldest, entries] = this.#byStream.entries().next().value!;
      this.#byStream.delete(oldest);
      this.#total -= entries.length;
    }
  }

  /** Newest first; entries with ts < `since` are past retention and skipped. */
  page(stream: string, query: ModlogQuery, since: number): ModlogEntry[] {
    const list = this.#byStream.get(stream) ?? [];
    const out: ModlogEntry[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < query.limit; i--) {
      const entry = list[i]!;
      if (query.before !== undefined && entry.cursor >= query.before) continue;
      if (entry.ts >= since && (query.user === undefined || entry.user?.id === query.user)) out.push(entry);
    }
    return out;
  }
}
