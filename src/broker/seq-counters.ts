import { sweepStep } from '../state/sweep.ts';

export interface SeqCountersOptions {
  /** The newest seq stored for a stream (the durable log's lastSeq), read when a stream's counter starts. */
  loadLastSeq: (stream: string) => Promise<number>;
  /** A stream idle this long forgets its counter and reloads it from the log when it is used again. */
  idleMs: number;
}

interface Counter {
  last: number;
  usedAt: number;
}

const SWEEP_STEPS = 2;

/**
 * Per-stream seq counters in memory. A stream's counter starts from the log
 * the first time it is used, so seq continues across restarts; concurrent
 * first calls share that one load, so no seq is handed out twice.
 */
export class SeqCounters {
  readonly #counters = new Map<string, Counter>();
  readonly #loading = new Map<string, Promise<void>>();
  readonly #options: SeqCountersOptions;

  constructor(options: SeqCountersOptions) {
    this.#options = options;
  }

  async next(stream: string): Promise<number> {
    let counter = this.#counters.get(stream);
    while (counter === undefined) {
      await this.#load(stream);
      counter = this.#counters.get(stream);
    }
    const now = Date.now();
    sweepStep(this.#counters, (c) => now - c.usedAt >= this.#options.idleMs, SWEEP_STEPS);
    counter.usedAt = now;
    // The sweep may have just dropped it; the increment below must still be remembered.
    this.#counters.set(stream, counter);
    return ++counter.last;
  }

  #load(stream: string): Promise<void> {
    let loading = this.#loading.get(stream);
    if (loading === undefined) {
      loading = this.#options
        .loadLastSeq(stream)
        .then((last) => {
          if (!this.#counters.has(stream)) this.#counters.set(stream, { last, usedAt: Date.now() });
        })
        .finally(() => this.#loading.delete(stream));
      this.#loading.set(stream, loading);
    }
    return loading;
  }
}
