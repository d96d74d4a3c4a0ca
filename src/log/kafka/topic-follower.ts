// Follows every partition of a topic from its start and hands each record
// to its owner (the log's index, the reports' view), whichever gateway wrote
// it. `start` returns once it has caught up with what the topic held then.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TopicReader } from './topic-reader.ts';

const FETCH_WAIT_MS = 200;
const FETCH_MAX_BYTES = 4 * 1024 * 1024;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export interface TopicFollowerOptions {
  reader: TopicReader;
  /** Each record's value at its offset, in offset order per partition. */
  onRecord: (value: Buffer | null, offset: number) => void;
  /** Told about each failed fetch; the follower retries with backoff. */
  onError: (error: Error) => void;
}

export class TopicFollower {
  readonly #reader: TopicReader;
  readonly #onRecord: (value: Buffer | null, offset: number) => void;
  readonly #onError: (error: Error) => void;
  #positions: number[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(options: TopicFollowerOptions) {
    this.#reader = options.reader;
    this.#onRecord = options.onRecord;
    this.#onError = options.onError;
  }

  /** Reads the topic from its start until it reaches the end it had when called (bounded by `timeoutMs`), then keeps following. */
  async start(timeoutMs: number): Promise<void> {
    this.#positions = await this.#reader.offsets('earliest');
    const ends = await this.#reader.offsets('latest');
    const deadline = Date.now() + timeoutMs;
    for (let p = 0; p < ends.length; p++) {
      while (this.#positions[p]! < ends[p]!) {
        if (Date.now() > deadline) throw new Error(`kafka: did not catch up with the topic within ${timeoutMs} ms`);
        await this.#step(p, 0);
      }
    }
    this.#loop = this.#follow();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #follow(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.#stopped) {
      try {
        // One partition at a time, each waiting briefly for news: the fetch session stays simple
        // and a quiet topic costs one request per partition per FETCH_WAIT_MS.
        for (let p = 0; p < this.#positions.length && !this.#stopped; p++) await this.#step(p, FETCH_WAIT_MS / this.#positions.length);
        delay = RETRY_MIN_MS;
      } catch (error) {
        if (this.#stopped) return;
        this.#onError(error as Error);
        await sleep(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
        await this.#skipExpired().catch(() => {});
      }
    }
  }

  async #step(partition: number, waitMs: number): Promise<void> {
    const { records, next } = await this.#reader.fetch(partition, this.#positions[partition]!, waitMs, FETCH_MAX_BYTES);
    for (const { offset, value } of records) this.#onRecord(value, offset);
    this.#positions[partition] = next;
  }

  /** After retention deleted what the tail had not read yet (a long outage), continue from the first offset still held. */
  async #skipExpired(): Promise<void> {
    const earliest = await this.#reader.offsets('earliest');
    this.#positions = this.#positions.map((position, p) => Math.max(position, earliest[p] ?? 0));
  }
}
