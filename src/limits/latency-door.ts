export interface LatencyDoorOptions {
  /** When most sends checked in an interval (ten at least) took longer than this to their send check, sends queue; 0 keeps the door open. */
  targetMs: number;
  /** How long sends are watched before the door's share is changed. */
  intervalMs: number;
  now: () => number;
}

// The share of ordinary sends turned away, in tenths, rises this much after each interval in which most sends were
// late, and falls by DECREASE after each other one: quick to shed in a burst, slower to let everyone in again.
const INCREASE = 2;
const DECREASE = 1;
// Some ordinary sends always get through: their times tell when the queue is gone.
const MOST_SHED = 9;
// Fewer answered sends in an interval are no queue, however slow: a lone slow send (a quiet stream on a busy
// machine) must not turn away the next one.
const LEAST_SENDS = 10;

/**
 * The door of the send path, judged by how long sends take
 * (docs/decisions.md, "The door by send latency"). A burst that offers the
 * gateway more than it takes in shows first as sends that wait: most sends
 * checked in an interval (ten at least) took longer than the target to
 * their send check, and every send let in makes the wait longer until sends
 * pass their backing services' deadlines (`unavailable`). So the door turns
 * away a growing share of ordinary sends (`overloaded`, before any work)
 * while that lasts, and lets them in again as sends get quick. Sends whose
 * reads failed on a backing service are not counted (an outage is not a queue: it
 * answers `unavailable`); the privileged are always let in.
 */
export class LatencyDoor {
  readonly #o: LatencyDoorOptions;
  #windowStart: number;
  #answered = 0;
  #late = 0;
  #shedTenths = 0;
  // Deterministic thinning: each ordinary send earns 10 - shedTenths; 10 let one in.
  #credit = 0;

  constructor(options: LatencyDoorOptions) {
    this.#o = options;
    this.#windowStart = options.now();
  }

  /** The share of ordinary sends turned away now (0 to 0.9). */
  get shed(): number {
    this.#roll();
    return this.#shedTenths / 10;
  }

  admits(privileged: boolean): boolean {
    if (privileged || this.#o.targetMs === 0) return true;
    this.#roll();
    if (this.#shedTenths === 0) return true;
    this.#credit += 10 - this.#shedTenths;
    if (this.#credit < 10) return false;
    this.#credit -= 10;
    return true;
  }

  /** A send let in reached its send check (its reads did not fail) `ms` after it arrived. */
  observe(ms: number): void {
    if (this.#o.targetMs === 0) return;
    this.#roll();
    this.#answered++;
    if (ms > this.#o.targetMs) this.#late++;
  }

  #roll(): void {
    const now = this.#o.now();
    const intervals = Math.floor((now - this.#windowStart) / this.#o.intervalMs);
    if (intervals < 1) return;
    // The interval just ended decides; any after it passed with no answered send, which shows no queue either.
    const late = this.#answered >= LEAST_SENDS && this.#late * 2 > this.#answered;
    const tenths = late ? Math.min(MOST_SHED, this.#shedTenths + INCREASE) : this.#shedTenths - DECREASE;
    this.#shedTenths = Math.max(0, tenths - DECREASE * (intervals - 1));
    if (this.#shedTenths === 0) this.#credit = 0;
    this.#windowStart += intervals * this.#o.intervalMs;
    this.#answered = 0;
    this.#late = 0;
  }
}
