import { StreamReadCache } from '../chat/stream-read-cache.ts';
import type { Modes, Ordering } from '../protocol/types.ts';

// A moderator's change of `modes.ordering` takes effect here within this long:
// lines are routed by it one by one, and a Redis read per line would double
// the cost of every send and every remote line.
const FRESH_MS = 1_000;
const MAX_STREAMS = 10_000;

/**
 * Each stream's `modes.ordering`, read from the state store and kept for a
 * second (src/chat/stream-read-cache.ts: the sends that find it stale while
 * it is being read share that one read). `load` reads what is missing or
 * stale; `of` answers from what was loaded, without waiting, so a batch of
 * lines is routed in its own order.
 */
export class StreamOrderings {
  readonly #cache: StreamReadCache<Ordering>;

  constructor(getModes: (stream: string) => Promise<Modes>, now: () => number = Date.now) {
    this.#cache = new StreamReadCache({ read: async (stream) => (await getModes(stream)).ordering ?? 'regional', ttlMs: FRESH_MS, maxStreams: MAX_STREAMS, now });
  }

  async load(streams: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(streams)].map((stream) => this.#cache.get(stream)));
  }

  /** The ordering `load` found; regional for a stream not loaded. */
  of(stream: string): Ordering {
    return this.#cache.peek(stream) ?? 'regional';
  }

  get(stream: string): Promise<Ordering> {
    return this.#cache.get(stream);
  }
}
