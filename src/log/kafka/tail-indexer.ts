// Follows every partition of the log topic from its start and feeds the
// index: messages, and retractions from any gateway. `open` returns once it
// has caught up with what the topic held at start.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeRecord, type LogRecord } from './records.ts';
import type { StreamIndex } from './stream-index.ts';
import type { TopicReader } from './topic-reader.ts';

const FETCH_WAIT_MS = 200;
const FETCH_MAX_BYTES = 4 * 1024 * 1024;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export interface TailIndexerOptions {
  reader: TopicReader;
  index: StreamIndex;
  /** Told about each failed fetch; the tail retries with backoff. */
  onError: (error: Error) => void;
}

export class TailIndexer {
  readonly #reader: TopicReader;
  readonly #index: StreamIndex;
  readonly #onError: (error: Error) => void;
  #positions: number[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(options: TailIndexerOptions) {
    this.#reader = options.reader;
    this.#index = options.index;
    this.#onError = options.onError;
  }

  /** Reads the topic from its start until it reaches the end it had when called (bounded by `timeoutMs`), then keeps following. */
  async start(timeoutMs: number): Promise<void> {
    this.#positions = await this.#reader.offsets('earliest');
    const ends = await this.#reader.offsets('latest');
    const deadline = Date.now() + timeoutMs;
    for (let p = 0; p < ends.length; p++) {
      while (this.#positions[p]! < ends[p]!) {
        if (Date.now() > deadline) throw new Error(`kafka log: index not built within ${timeoutMs} ms`);
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
    for (const { offset, value } of records) apply(this.#index, decodeRecord(value), offset);
    this.#positions[partition] = next;
  }

  /** After retention deleted what the tail had not read yet (a long outage), continue from the first offset still held. */
  async #skipExpired(): Promise<void> {
    const earliest = await this.#reader.offsets('earliest');
    this.#positions = this.#positions.map((position, p) => Math.max(position, earliest[p] ?? 0));
  }
}

/** Applies one record at its offset to the index (also used for this gateway's own acknowledged writes). */
export function apply(index: StreamIndex, record: LogRecord | undefined, offset: number): void {
  if (record === undefined) return;
  if (record.t === 'm') {
    const m = record.m;
    index.insert(m.stream, { seq: m.seq, offset, ts: m.ts, id: m.id, user: m.user.id, sampled: record.s, retracted: false });
  } else if (record.t === 'r') {
    index.retractIds(record.stream, record.ids);
  } else {
    index.retractUserBefore(record.stream, record.user, offset);
  }
}
