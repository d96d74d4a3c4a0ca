/**
 * Closes a connection that holds nothing (anonymous, watching no stream)
 * for `ms`: a socket that never joins costs a file descriptor and a slot of
 * its address for nothing. One timer per connection, restarted rather than
 * recreated; whether the connection is still idle is asked when it fires.
 */
export class IdleDeadline {
  readonly #ms: number;
  readonly #isIdle: () => boolean;
  readonly #onIdle: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number, isIdle: () => boolean, onIdle: () => void) {
    this.#ms = ms;
    this.#isIdle = isIdle;
    this.#onIdle = onIdle;
    this.restart();
  }

  /** Counts `ms` from now (on open, and when a connection becomes idle again). */
  restart(): void {
    if (this.#timer !== undefined) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      if (this.#isIdle()) this.#onIdle();
    }, this.#ms);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
