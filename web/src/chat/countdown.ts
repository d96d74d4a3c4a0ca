/**
 * A visible wait (slow mode, rate limit, timeout): calls `tick` with the
 * whole seconds left about four times a second, then with 0 once.
 */
export class Countdown {
  readonly #tick: (secondsLeft: number) => void;
  #until = 0;
  #timer: number | undefined;

  constructor(tick: (secondsLeft: number) => void) {
    this.#tick = tick;
  }

  get running(): boolean {
    return Date.now() < this.#until;
  }

  start(ms: number): void {
    this.#until = Math.max(this.#until, Date.now() + ms);
    window.clearInterval(this.#timer);
    this.#timer = window.setInterval(() => this.#update(), 250);
    this.#update();
  }

  /** Ends the wait now (the reason for it went away), with one last tick of 0. */
  stop(): void {
    this.#until = 0;
    this.#update();
  }

  #update(): void {
    const left = Math.ceil((this.#until - Date.now()) / 1000);
    if (left <= 0) {
      window.clearInterval(this.#timer);
      this.#timer = undefined;
    }
    this.#tick(Math.max(0, left));
  }
}
