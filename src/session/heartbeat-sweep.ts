import { chunksPerTurn } from '../process/chunks-per-turn.ts';

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
  #sweeping = false;
  #cancel: (() => void) | undefined;

  constructor(sessions: () => Iterable<Heartbeating>, intervalMs: number) {
    this.#timer = setInterval(() => {
      // A sweep still going (a loop slower than the interval) is not started twice.
      if (this.#sweeping) return;
      this.#sweeping = true;
      const list = [...sessions()];
      this.#cancel = chunksPerTurn(list.length, SWEEP_CHUNK, (from, to) => {
        for (let i = from; i < to; i++) list[i]!.heartbeat();
      }, () => (this.#sweeping = false));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#cancel?.();
  }
}
