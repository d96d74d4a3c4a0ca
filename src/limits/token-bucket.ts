/**
 * At most `burst` events at once, and `burst` per `windowMs` sustained: a
 * token bucket. Two numbers per limit, where a ring of event times cost
 * about 1.5 KB of memory per connection for its two limits (measured), which
 * at 100,000 viewers is 150 MB for two counters nobody hits.
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at = Number.NEGATIVE_INFINITY;

  constructor(burst: number, windowMs: number) {
    this.#burst = burst;
    this.#perMs = burst / windowMs;
    this.#tokens = burst;
  }

  /** Takes a token at `now` if one is left; false (and nothing taken) if not. */
  tryTake(now: number): boolean {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
