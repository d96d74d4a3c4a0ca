import { chunksPerTurn } from '../process/chunks-per-turn.ts';

// Each heartbeat is a ping, a socket write like a fan-out's: pinging all of
// a gateway's 10,000 sessions at once cost it a whole extra fan-out every
// interval, and the burst's lines sent then were late (BENCHMARKS.md). So
// every session has its slice of the interval, and a slice is swept at each
// tick: the pings go out evenly, each session's exactly an interval apart.
const SLICES = 30;
// Sessions looked at per turn of the event loop, for a slice of a very big gateway.
const SWEEP_CHUNK = 1_000;

/** What the sweep calls on each session. */
export interface Heartbeating {
  heartbeat(): void;
}

/**
 * Calls `heartbeat()` on each session once every `intervalMs`, at the same
 * point of every interval (its slice's tick), a chunk per turn of the event
 * loop. A session joins the emptiest slice, so an arrival waits at most one
 * interval for its first heartbeat and never gets two less than an interval
 * apart, whoever else comes and goes.
 */
export class HeartbeatSweep<S extends Heartbeating = Heartbeating> {
  readonly #slices: Array<Set<S>> = Array.from({ length: SLICES }, () => new Set<S>());
  readonly #sliceOf = new Map<S, Set<S>>();
  readonly #timer: NodeJS.Timeout;
  #tick = 0;
  #sweeping = false;
  #cancel: (() => void) | undefined;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => this.#sweep(this.#slices[this.#tick++ % SLICES]!), intervalMs / SLICES);
    this.#timer.unref();
  }

  add(session: S): void {
    let emptiest = this.#slices[0]!;
    for (const slice of this.#slices) if (slice.size < emptiest.size) emptiest = slice;
    emptiest.add(session);
    this.#sliceOf.set(session, emptiest);
  }

  delete(session: S): void {
    this.#sliceOf.get(session)?.delete(session);
    this.#sliceOf.delete(session);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#cancel?.();
  }

  #sweep(slice: Set<S>): void {
    // While the last slice is still being swept (a loop slower than a tick), this one waits a whole interval: never two sweeps at once.
    if (this.#sweeping || slice.size === 0) return;
    this.#sweeping = true;
    const list = [...slice];
    this.#cancel = chunksPerTurn(list.length, SWEEP_CHUNK, (from, to) => {
      for (let i = from; i < to; i++) list[i]!.heartbeat();
    }, () => (this.#sweeping = false));
  }
}
