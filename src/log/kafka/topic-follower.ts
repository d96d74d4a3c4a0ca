// Follows every partition of a topic from its start and hands each record
// to its owner (the log's index, the reports' view), whichever gateway wrote
// it. `start` returns once it has caught up with what the topic held then.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FetchedRecord, TopicReader } from './topic-reader.ts';

// While following, one request per broker asks for every partition it leads
// and is answered once FOLLOW_MIN_BYTES are there or FETCH_WAIT_MS passed: a
// few requests a second per gateway however busy the topic, instead of one per
// produced batch. The index lags the topic by at most that wait, which reads
// never notice in cluster mode: the newest seconds come from the recent window.
const FETCH_WAIT_MS = 200;
const FOLLOW_MIN_BYTES = 256 * 1024;
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
        const { records, next } = await this.#reader.fetch(p, this.#positions[p]!, 0, FETCH_MAX_BYTES);
        this.#take(p, records, next);
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
        const leaders = await this.#reader.leaders(this.#positions.map((_, p) => p));
        for (const [node, partitions] of leaders) {
          if (this.#stopped) break;
          const from = new Map(partitions.map((p) => [p, this.#positions[p]!]));
          const fetched = await this.#reader.fetchFrom(node, from, FETCH_WAIT_MS / leaders.length, FOLLOW_MIN_BYTES, FETCH_MAX_BYTES);
          for (const [p, { records, next }] of fetched) this.#take(p, records, next);
        }
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

  #take(partition: number, records: readonly FetchedRecord[], next: number): void {
    for (const { offset, value } of records) this.#onRecord(value, offset);
    this.#positions[partition] = next;
  }

  /** After retention deleted what the tail had not read yet (a long outage), continue from the first offset still held. */
  async #skipExpired(): Promise<void> {
    const earliest = await this.#reader.offsets('earliest');
    this.#positions = this.#positions.map((position, p) => Math.max(position, earliest[p] ?? 0));
  }
}
