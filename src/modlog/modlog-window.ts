import { StreamLists } from '../log/kafka/stream-lists.ts';
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
  readonly #lists: StreamLists<ModlogEntry>;
  readonly #maxTotal: number;

  constructor(maxPerStream: number, maxTotal: number) {
    this.#lists = new StreamLists(maxPerStream);
    this.#maxTotal = maxTotal;
  }

  add(entry: ModlogEntry): void {
    // Touched even when the entry is held already: its read-back keeps the stream recent, as it always has.
    const list = this.#lists.touch(entry.stream);
    // Mostly appended at the end; another gateway's older entry may arrive after our own newer one.
    let at = list.length;
    while (at > 0 && list[at - 1]!.cursor >= entry.cursor) at--;
    if (list[at]?.cursor === entry.cursor) return;
    this.#lists.insert(entry.stream, entry, at);
    while (this.#lists.total > this.#maxTotal) this.#lists.forgetOldestStream();
  }

  /** Newest first; entries with ts < `since` are past retention and skipped. */
  page(stream: string, query: ModlogQuery, since: number): ModlogEntry[] {
    const list = this.#lists.get(stream);
    const out: ModlogEntry[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < query.limit; i--) {
      const entry = list[i]!;
      if (query.before !== undefined && entry.cursor >= query.before) continue;
      if (entry.ts >= since && (query.user === undefined || entry.user?.id === query.user)) out.push(entry);
    }
    return out;
  }
}
