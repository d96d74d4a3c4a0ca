import type { GrantableRole } from '../protocol/types.ts';

/** A stream's granted roles by user id, shared by every caller: never changed in place. */
export type StreamGrants = ReadonlyMap<string, readonly GrantableRole[]>;

export interface GrantsCacheOptions {
  /** Reads a stream's grants from the state store. */
  read: (stream: string) => Promise<StreamGrants>;
  /** How long one read is reused: a change made elsewhere is seen here within it. */
  ttlMs: number;
  /** Streams kept; the least recently used goes first beyond it. */
  maxStreams: number;
  now: () => number;
}

/**
 * Each stream's grants, read at most once per `ttlMs` on this gateway instead
 * of once per send. The entry is the read itself, so callers that come while
 * it is in flight share it, and `forget` (this gateway changed the grants)
 * detaches a read already under way: nobody is handed its older answer again.
 * A read that fails is dropped, so the next call reads afresh.
 */
export class GrantsCache {
  readonly #o: GrantsCacheOptions;
  // Insertion order is use order: the first key is the least recently used.
  readonly #entries = new Map<string, { readAt: number; grants: Promise<StreamGrants> }>();

  constructor(options: GrantsCacheOptions) {
    if (!(options.maxStreams >= 1)) throw new RangeError('GrantsCache maxStreams must be at least 1');
    this.#o = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(stream: string): Promise<StreamGrants> {
    const now = this.#o.now();
    const entry = this.#entries.get(stream);
    this.#entries.delete(stream);
    if (entry !== undefined && now - entry.readAt < this.#o.ttlMs) {
      this.#entries.set(stream, entry);
      return entry.grants;
    }
    const fresh = { readAt: now, grants: this.#o.read(stream) };
    this.#entries.set(stream, fresh);
    if (this.#entries.size > this.#o.maxStreams) this.#entries.delete(this.#entries.keys().next().value!);
    fresh.grants.catch(() => {
      if (this.#entries.get(stream) === fresh) this.#entries.delete(stream);
    });
    return fresh.grants;
  }

  /** The stream's grants changed: the next `get` reads them again. */
  forget(stream: string): void {
    this.#entries.delete(stream);
  }
}
