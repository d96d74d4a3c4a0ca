import type { StateStore } from '../state/state.ts';

export interface StreamReadCacheOptions<T> {
  /** Reads a stream's value from the state store. */
  read: (stream: string) => Promise<T>;
  /** How long one read is reused: a change made elsewhere is seen here within it. */
  ttlMs?: number;
  /** Streams kept; the least recently used goes first beyond it. */
  maxStreams?: number;
  now: () => number;
}

// Granted roles, modes and rules changed on one gateway reach the others' sends within ttlMs (docs/decisions.md).
const STREAM_READ_DEFAULTS = { ttlMs: 2_000, maxStreams: 10_000 };

/** What a cached reader of one kind of per-stream state (grants; modes and rules) is built from. */
export type CachedStateOptions = Omit<StreamReadCacheOptions<unknown>, 'read'> & { state: StateStore };

/**
 * A per-stream value of the state store (granted roles; modes and rules),
 * read at most once per `ttlMs` on this gateway instead of once per send.
 * Callers share the answer, so none may change it in place. The entry is the
 * read itself, so callers that come while it is in flight share it, and
 * `forget` (this gateway changed the value) detaches a read already under
 * way: nobody is handed its older answer again. A read that fails is
 * dropped, so the next call reads afresh.
 */
interface CacheEntry<T> {
  readAt: number;
  value: Promise<T>;
  /** What `value` answered, once it has (or, until then, what the read before it found). */
  found?: T;
}

export class StreamReadCache<T> {
  readonly #o: Required<StreamReadCacheOptions<T>>;
  // Insertion order is use order: the first key is the least recently used.
  readonly #entries = new Map<string, CacheEntry<T>>();

  constructor(options: StreamReadCacheOptions<T>) {
    this.#o = { ...STREAM_READ_DEFAULTS, ...options };
    if (!(this.#o.maxStreams >= 1)) throw new RangeError('StreamReadCache maxStreams must be at least 1');
  }

  get size(): number {
    return this.#entries.size;
  }

  get(stream: string): Promise<T> {
    const now = this.#o.now();
    const entry = this.#entries.get(stream);
    this.#entries.delete(stream);
    if (entry !== undefined && now - entry.readAt < this.#o.ttlMs) {
      this.#entries.set(stream, entry);
      return entry.value;
    }
    // Until the new read answers, peek keeps answering what the last one found.
    const fresh: CacheEntry<T> = { readAt: now, value: this.#o.read(stream), found: entry?.found };
    this.#entries.set(stream, fresh);
    if (this.#entries.size > this.#o.maxStreams) this.#entries.delete(this.#entries.keys().next().value!);
    fresh.value.then((found) => {
      fresh.found = found;
    }, () => {
      if (this.#entries.get(stream) === fresh) this.#entries.delete(stream);
    });
    return fresh.value;
  }

  /**
   * What the stream's latest answered read found, without waiting: undefined
   * before its first read answered, or once the stream left the cache
   * (`forget`, a failed read, the bound). A caller that needs the current
   * value awaits `get` first (its answer is noted before the caller resumes).
   */
  peek(stream: string): T | undefined {
    return this.#entries.get(stream)?.found;
  }

  /** The stream's value changed on this gateway: the next `get` reads it again. */
  forget(stream: string): void {
    this.#entries.delete(stream);
  }
}
