// Sessions looked at per turn of the event loop. Each heartbeat is a ping
// (a socket write): all of a busy gateway's 10,000 sessions in one timer
// callback held its event loop for up to a second (BENCHMARKS.md).
const SWEEP_CHUNK = 1_000;

/** What the sweep calls on each session. */
export interface Heartbeating {
  heartbeat(): void;
}

/**
 * Every `intervalMs`, calls `heartbeat()` once on each of `sessions()`, a
 * chunk per turn of the event loop. A session that leaves during a sweep may
 * still be called (its heartbeat then does nothing); one that arrives waits
 * for the next sweep.
 */
export class HeartbeatSweep {
  readonly #timer: NodeJS.Timeout;
  #chunk: NodeJS.Immediate | undefined;

  constructor(sessions: () => Iterable<Heartbeating>, intervalMs: number) {
    this.#timer = setInterval(() => {
      // A sweep still going (a loop slower than the interval) is not started twice.
      if (this.#chunk === undefined) this.#sweep([...sessions()], 0);
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearImmediate(this.#chunk);
    this.#chunk = undefined;
  }

  #sweep(sessions: readonly Heartbeating[], from: number): void {
    const end = Math.min(from + SWEEP_CHUNK, sessions.length);
    for (let i = from; i < end; i++) sessions[i]!.heartbeat();
    this.#chunk = end < sessions.length ? setImmediate(() => this.#sweep(sessions, end)) : undefined;
  }
}
