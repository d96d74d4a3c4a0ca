// Group commit for the producer: appends that arrive while a produce request
// is in flight go out together in the next one, so there is one request in
// flight (order kept, idempotence simple) and throughput grows with load.
// Each append waits at most `timeoutMs`; the queue is bounded.
import type { Producer } from '@platformatic/kafka';

/** One record to write: its key (the stream), its partition, and its encoded value. */
export interface OutgoingRecord {
  key: string;
  partition: number;
  timestamp: number;
  value: Buffer;
}

interface PendingAppend {
  records: OutgoingRecord[];
  resolve: (offsets: number[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

export interface AppendBatcherOptions {
  producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  topic: string;
  timeoutMs: number;
  maxQueuedRecords: number;
  maxBatchRecords: number;
}

export class AppendBatcher {
  readonly #options: AppendBatcherOptions;
  #queue: PendingAppend[] = [];
  #queuedRecords = 0;
  #sending: Promise<void> | undefined;

  constructor(options: AppendBatcherOptions) {
    this.#options = options;
  }

  /** Resolves with each record's offset once the broker acknowledged all of them (acks from all in-sync replicas). */
  send(records: OutgoingRecord[]): Promise<number[]> {
    if (this.#queuedRecords + records.length > this.#options.maxQueuedRecords) return Promise.reject(new Error('kafka: too many writes waiting'));
    return new Promise((resolve, reject) => {
      const pending: PendingAppend = { records, resolve, reject, settled: false, timer: undefined as unknown as NodeJS.Timeout };
      pending.timer = setTimeout(() => this.#timeOut(pending), this.#options.timeoutMs);
      this.#queue.push(pending);
      this.#queuedRecords += records.length;
      this.#pump();
    });
  }

  /** Waits for the request in flight (so nothing acknowledged is cut off), then refuses what is queued. */
  async close(): Promise<void> {
    await this.#sending;
    for (const pending of this.#queue.splice(0)) settle(pending, () => pending.reject(new Error('kafka writer closed')));
    this.#queuedRecords = 0;
  }

  #timeOut(pending: PendingAppend): void {
    const at = this.#queue.indexOf(pending);
    // Still queued: it never reaches Kafka. Already sent: it may still land, but the caller was told it failed.
    if (at >= 0) {
      this.#queue.splice(at, 1);
      this.#queuedRecords -= pending.records.length;
    }
    settle(pending, () => pending.reject(new Error(`kafka: not acknowledged within ${this.#options.timeoutMs} ms`)));
  }

  #pump(): void {
    if (this.#sending !== undefined || this.#queue.length === 0) return;
    const batch: PendingAppend[] = [];
    let count = 0;
    while (this.#queue.length > 0 && (batch.length === 0 || count + this.#queue[0]!.records.length <= this.#options.maxBatchRecords)) {
      const next = this.#queue.shift()!;
      batch.push(next);
      count += next.records.length;
    }
    this.#queuedRecords -= count;
    this.#sending = this.#produce(batch).finally(() => {
      this.#sending = undefined;
      this.#pump();
    });
  }

  async #produce(batch: PendingAppend[]): Promise<void> {
    const records = batch.flatMap((pending) => pending.records);
    try {
      const result = await this.#options.producer.send({
        messages: records.map((r) => ({
          topic: this.#options.topic,
          partition: r.partition,
          key: Buffer.from(r.key),
          value: r.value,
          timestamp: BigInt(r.timestamp),
        })),
      });
      // One batch per partition, in the order sent: the i-th record of a partition is at its base offset + i.
      const next = new Map<number, number>();
      for (const { partition, offset } of result.offsets ?? []) next.set(partition, Number(offset));
      const offsets = records.map((r) => {
        const offset = next.get(r.partition);
        if (offset === undefined) throw new Error(`kafka: no offset acknowledged for partition ${r.partition}`);
        next.set(r.partition, offset + 1);
        return offset;
      });
      let at = 0;
      for (const pending of batch) {
        const own = offsets.slice(at, (at += pending.records.length));
        settle(pending, () => pending.resolve(own));
      }
    } catch (error) {
      for (const pending of batch) settle(pending, () => pending.reject(error as Error));
    }
  }
}

function settle(pending: PendingAppend, action: () => void): void {
  if (pending.settled) return;
  pending.settled = true;
  clearTimeout(pending.timer);
  action();
}
