export interface BacklogLimits {
  socketSoftLimitBytes: number;
  socketHardLimitBytes: number;
  slowConsumerGraceMs: number;
}

/**
 * Decides when a reader is too far behind (docs/protocol.md, close 4008):
 * more than the soft limit unsent for the grace period, or the hard limit at
 * any moment. Shared by every transport that writes to a socket.
 */
export class SlowConsumerCheck {
  readonly #limits: BacklogLimits;
  #slowSince = 0;

  constructor(limits: BacklogLimits) {
    this.#limits = limits;
  }

  /** True while the peer has been behind since an earlier check (worth re-checking without new traffic). */
  get slow(): boolean {
    return this.#slowSince !== 0;
  }

  /** False once `backlog` unsent bytes mean the peer must be dropped. */
  ok(backlog: number): boolean {
    if (backlog < this.#limits.socketSoftLimitBytes) {
      this.#slowSince = 0;
      return true;
    }
    const now = performance.now();
    if (this.#slowSince === 0) this.#slowSince = now;
    return backlog < this.#limits.socketHardLimitBytes && now - this.#slowSince < this.#limits.slowConsumerGraceMs;
  }
}
