import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';

export interface RemoteRetractionsOptions {
  log: Pick<DurableLog, 'retract'>;
  bus: Pick<Bus, 'publish'>;
  /** How often lines not here yet are looked for again. */
  retryMs?: number;
  /** How long a retraction waits for its line. */
  keepMs?: number;
  /** Ids waiting at most; beyond it the oldest wait is given up. */
  maxWaiting?: number;
  now?: () => number;
  onError: (err: unknown) => void;
}

interface Waiting {
  stream: string;
  reason: string | undefined;
  until: number;
}

const RETRY_MS = 1_000;
// A line comes through its own origin's mirror; a retraction from a third region may come first (a link slower than another), or
// after a partition heals. Minutes cover both.
const KEEP_MS = 5 * 60_000;
const MAX_WAITING = 10_000;

/**
 * Retractions made in a peer, applied here: the lines leave this region's
 * history and, with a reason, its viewers get a `retract` frame (a ban's
 * lines go silently: its `clear` says it). A line that has not reached this
 * region yet (it crosses through its own origin's mirror, which may be
 * slower than the retracting region's) is looked for again every `retryMs`
 * for `keepMs`, at most `maxWaiting` ids, by this gateway (a crash forgets
 * them, docs/regions.md).
 */
export class RemoteRetractions {
  readonly #o: Required<RemoteRetractionsOptions>;
  readonly #waiting = new Map<string, Waiting>();
  readonly #timer: NodeJS.Timeout;
  #retrying = false;

  constructor(options: RemoteRetractionsOptions) {
    this.#o = { retryMs: RETRY_MS, keepMs: KEEP_MS, maxWaiting: MAX_WAITING, now: Date.now, ...options };
    this.#timer = setInterval(() => this.#retry(), this.#o.retryMs);
    this.#timer.unref();
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  async retract(stream: string, ids: readonly string[], reason: string | undefined): Promise<void> {
    const found = new Set(await this.#apply(stream, ids, reason));
    for (const id of ids) {
      if (found.has(id)) continue;
      this.#waiting.delete(id);
      this.#waiting.set(id, { stream, reason, until: this.#o.now() + this.#o.keepMs });
      if (this.#waiting.size > this.#o.maxWaiting) this.#waiting.delete(this.#waiting.keys().next().value!);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#waiting.clear();
  }

  async #apply(stream: string, ids: readonly string[], reason: string | undefined): Promise<string[]> {
    const found = await this.#o.log.retract(stream, [...ids]);
    if (reason !== undefined && found.length > 0) await this.#o.bus.publish(stream, { kind: 'retract', ids: found, reason });
    return found;
  }

  #retry(): void {
    if (this.#retrying || this.#waiting.size === 0) return;
    this.#retrying = true;
    const now = this.#o.now();
    const groups = new Map<string, { stream: string; reason: string | undefined; ids: string[] }>();
    for (const [id, w] of this.#waiting) {
      if (w.until <= now) {
        this.#waiting.delete(id);
        continue;
      }
      const key = `${w.stream}\n${w.reason ?? ''}`;
      const group = groups.get(key) ?? { stream: w.stream, reason: w.reason, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    void (async () => {
      for (const { stream, reason, ids } of groups.values()) {
        const found = await this.#apply(stream, ids, reason).catch((err: unknown) => {
          this.#o.onError(err);
          return [];
        });
        for (const id of found) this.#waiting.delete(id);
      }
    })().finally(() => (this.#retrying = false));
  }
}
