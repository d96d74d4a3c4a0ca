// Reads against Kafka go through here: identical reads in flight are merged
// (single flight), at most one fetch per reader connection runs at a time,
// and the queue of waiting reads is bounded, so a reconnect storm costs a
// bounded number of Kafka requests and is refused beyond that.
import type { TopicReader } from './topic-reader.ts';

interface Job {
  run: (reader: TopicReader) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class ReadPool {
  readonly #idle: TopicReader[];
  readonly #readers: TopicReader[];
  readonly #queue: Job[] = [];
  readonly #maxQueued: number;
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(readers: TopicReader[], maxQueued: number) {
    this.#readers = readers;
    this.#idle = [...readers];
    this.#maxQueued = maxQueued;
  }

  /** Runs `run` on a free reader; a call with the same key while one is in flight shares its result. */
  read<T>(key: string, run: (reader: TopicReader) => Promise<T>): Promise<T> {
    const shared = this.#inFlight.get(key);
    if (shared !== undefined) return shared as Promise<T>;
    if (this.#queue.length >= this.#maxQueued) return Promise.reject(new Error('kafka log: too many reads waiting'));
    const promise = new Promise<unknown>((resolve, reject) => {
      this.#queue.push({ run, resolve, reject });
      this.#next();
    }).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise as Promise<T>;
  }

  close(): Promise<void> {
    for (const job of this.#queue.splice(0)) job.reject(new Error('kafka log closed'));
    return Promise.all(this.#readers.map((reader) => reader.close())).then(() => {});
  }

  #next(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const reader = this.#idle.pop()!;
      const job = this.#queue.shift()!;
      job
        .run(reader)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.#idle.push(reader);
          this.#next();
        });
    }
  }
}
