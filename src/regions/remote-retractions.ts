import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';
import { WaitingForLines } from './waiting-for-lines.ts';

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

const RETRY_MS = 1_000;
// A line comes through its own origin's mirror; a retraction from a third region may come first (a link slower than another), or
// after a partition heals. Minutes cover both.
const KEEP_MS = 5 * 60_000;
const MAX_WAITING = 10_000;

/**
 * Retractions made in a peer, applied here: the lines leave this region's
 * history and, with a reason, its viewers get a `retract` frame (a ban's
 * lines go silently: its `clear` says it). A line that has not reached this
 * region yet waits (waiting-for-lines.ts): looked for again every `retryMs`
 * for `keepMs`, at most `maxWaiting` ids, by this gateway.
 */
export class RemoteRetractions {
  readonly #o: RemoteRetractionsOptions;
  readonly #waiting: WaitingForLines<string, { stream: string; reason: string | undefined }>;

  constructor(options: RemoteRetractionsOptions) {
    this.#o = options;
    this.#waiting = new WaitingForLines({
      everyMs: options.retryMs ?? RETRY_MS, keepMs: options.keepMs ?? KEEP_MS, max: options.maxWaiting ?? MAX_WAITING,
      now: options.now, onError: options.onError,
      retry: (waiting) => this.#retry(waiting),
    });
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  async retract(stream: string, ids: readonly string[], reason: string | undefined): Promise<void> {
    const found = new Set(await this.#apply(stream, ids, reason));
    for (const id of ids) if (!found.has(id)) this.#waiting.add(id, { stream, reason });
  }

  close(): void {
    this.#waiting.close();
  }

  async #apply(stream: string, ids: readonly string[], reason: string | undefined): Promise<string[]> {
    const found = await this.#o.log.retract(stream, [...ids]);
    if (reason !== undefined && found.length > 0) await this.#o.bus.publish(stream, { kind: 'retract', ids: found, reason });
    return found;
  }

  /** One call per stream and reason; the ids found are done. */
  async #retry(waiting: ReadonlyArray<[string, { stream: string; reason: string | undefined }]>): Promise<string[]> {
    const groups = new Map<string, { stream: string; reason: string | undefined; ids: string[] }>();
    for (const [id, w] of waiting) {
      const key = `${w.stream}\n${w.reason ?? ''}`;
      const group = groups.get(key) ?? { stream: w.stream, reason: w.reason, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    const done: string[] = [];
    for (const { stream, reason, ids } of groups.values()) {
      done.push(...await this.#apply(stream, ids, reason).catch((err: unknown) => {
        this.#o.onError(err);
        return [];
      }));
    }
    return done;
  }
}
