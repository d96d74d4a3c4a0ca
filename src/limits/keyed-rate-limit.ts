import { TokenBucket } from './token-bucket.ts';

export interface KeyedRateLimitOptions {
  /** Events one key may have at once, and per `windowMs` sustained. */
  burst: number;
  windowMs: number;
  /** Keys remembered; beyond, the least recently seen is forgotten (it starts afresh with a full bucket). */
  maxKeys: number;
}

/**
 * A token bucket per key (a client address, a user id) for callers that have
 * no connection to hang one on: HTTP requests, and actions that arrive over
 * several transports. The map is bounded: a key seen again moves to the end,
 * so the one dropped at the limit is the one idle longest.
 */
export class KeyedRateLimit {
  readonly #o: KeyedRateLimitOptions;
  // Insertion order is use order: the first key is the least recently seen.
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: KeyedRateLimitOptions) {
    if (!(options.maxKeys >= 1)) throw new RangeError('KeyedRateLimit maxKeys must be at least 1');
    this.#o = options;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Counts one event of `key` at `now`: 0 if it is allowed, else how long to
   * wait (ms) before one is. The wait is one token's refill, which always
   * suffices since a bucket never goes below empty.
   */
  take(key: string, now: number): number {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#o.burst, this.#o.windowMs);
      if (this.#buckets.size >= this.#o.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else {
      this.#buckets.delete(key);
    }
    this.#buckets.set(key, bucket);
    return bucket.tryTake(now) ? 0 : Math.ceil(this.#o.windowMs / this.#o.burst);
  }
}
