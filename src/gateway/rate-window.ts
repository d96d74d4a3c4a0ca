/**
 * At most `max` events in any `windowMs`: a ring of the last `max` event
 * times, so its memory is fixed whatever the client does.
 */
export class RateWindow {
  readonly #times: Float64Array;
  readonly #windowMs: number;
  #next = 0;

  constructor(max: number, windowMs: number) {
    this.#times = new Float64Array(max).fill(-Infinity);
    this.#windowMs = windowMs;
  }

  /** Records an event at `now` if the window has room; false (and nothing recorded) if not. */
  tryTake(now: number): boolean {
    // The slot about to be overwritten holds the oldest of the last `max` events.
    if (now - this.#times[this.#next]! < this.#windowMs) return false;
    this.#times[this.#next] = now;
    this.#next = (this.#next + 1) % this.#times.length;
    return true;
  }
}
