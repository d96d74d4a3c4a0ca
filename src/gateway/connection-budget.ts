/**
 * The connections one process accepts, across every socket gateway (v1
 * WebSocket, IRC over WebSocket and TCP): they share one open-files limit.
 */
export class ConnectionBudget {
  readonly #max: number;
  #open = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Checked before a handshake, so a full process refuses before it runs out of file descriptors. */
  get full(): boolean {
    return this.#open >= this.#max;
  }

  open(): void {
    this.#open++;
  }

  release(): void {
    this.#open--;
  }
}
