// A tick every TICK_MS; the lag is the latest tick's lateness, or an earlier
// one's within the last WINDOW_TICKS ticks (half a second), whichever is most.
const TICK_MS = 100;
const WINDOW_TICKS = 5;

/**
 * How late this process's event loop has been running lately: the longest
 * delay of its own timer over the last half second. A gateway whose loop lags
 * by a second reads every reply (Redis, Kafka) and every inbound frame a
 * second late, so a send started now would likely outlive its
 * backing-service deadline after doing part of its work; the send path
 * refuses it up front with `overloaded` instead.
 */
export class LoopLag {
  readonly #timer: NodeJS.Timeout;
  readonly #recent = new Float64Array(WINDOW_TICKS);
  #next = 0;
  #lastTick = performance.now();

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#recent[this.#next] = Math.max(0, now - this.#lastTick - TICK_MS);
      this.#next = (this.#next + 1) % WINDOW_TICKS;
      this.#lastTick = now;
    }, TICK_MS);
    this.#timer.unref();
  }

  /** The longest lateness of this timer over the last half second, in ms. */
  get lagMs(): number {
    let most = 0;
    for (const late of this.#recent) if (late > most) most = late;
    return most;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
