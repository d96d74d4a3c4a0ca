const MINUTE_MS = 60_000;

export interface MinuteCount {
  /** Start of the minute, ms since epoch. */
  minute: number;
  messages: number;
}

/**
 * Messages per minute over the last `minutes` minutes: a fixed ring of
 * counters indexed by minute, so memory is the same for a quiet stream and a
 * busy one. Counted by the message's own timestamp, so a consumer that lags
 * or re-reads a batch files each message under the minute it was sent.
 */
export class MinuteCounts {
  readonly #counts: Uint32Array;
  readonly #minutes: Float64Array;

  constructor(minutes: number) {
    this.#counts = new Uint32Array(minutes);
    this.#minutes = new Float64Array(minutes).fill(-1);
  }

  record(ts: number): void {
    const minute = Math.floor(ts / MINUTE_MS);
    const slot = minute % this.#counts.length;
    const held = this.#minutes[slot]!;
    if (minute < held) return; // older than the ring reaches
    if (minute > held) {
      this.#minutes[slot] = minute;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]!++;
  }

  /** One entry per minute of the ring, oldest first, ending with the minute of `now`. */
  series(now: number): MinuteCount[] {
    const size = this.#counts.length;
    const current = Math.floor(now / MINUTE_MS);
    const out: MinuteCount[] = [];
    for (let minute = current - size + 1; minute <= current; minute++) {
      const slot = ((minute % size) + size) % size;
      out.push({ minute: minute * MINUTE_MS, messages: this.#minutes[slot] === minute ? this.#counts[slot]! : 0 });
    }
    return out;
  }

  /** Messages in the minute of `now`. */
  countAt(now: number): number {
    const minute = Math.floor(now / MINUTE_MS);
    const slot = minute % this.#counts.length;
    return this.#minutes[slot] === minute ? this.#counts[slot]! : 0;
  }
}
