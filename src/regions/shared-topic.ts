import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { AppendBatcher } from '../log/kafka/append-batcher.ts';
import { partitionOf } from '../log/kafka/records.ts';
import { ensureTopic } from '../log/kafka/topics.ts';

export interface SharedTopicOptions {
  brokers: readonly string[];
  topic: string;
  partitions: number;
  replicas: number;
  /** The topic's retention when this call creates it. */
  retentionMs: number;
  writeTimeoutMs: number;
}

const REQUEST_TIMEOUT_MS = 5_000;
// A region's decisions and registers are few (people and timers make them); more waiting is a fault.
const MAX_QUEUED = 10_000;

/**
 * A topic of this region's own records for its peers (the decisions or the
 * viewers topic), keyed by stream like the log, so one stream's records keep
 * their order through the mirror. A write resolves once Kafka holds it.
 */
export class SharedTopic {
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #writer: AppendBatcher;
  readonly #partitions: number;

  static async open(o: SharedTopicOptions): Promise<SharedTopic> {
    // Segments roll with the retention, so a short retention (the viewers topic's) really drops old records.
    const configs = { 'retention.ms': String(o.retentionMs), 'segment.ms': String(Math.max(o.retentionMs, 60_000)) };
    const partitions = await ensureTopic({ brokers: o.brokers, topic: o.topic, partitions: o.partitions, replicas: o.replicas, configs });
    return new SharedTopic(o, partitions);
  }

  private constructor(o: SharedTopicOptions, partitions: number) {
    this.#partitions = partitions;
    this.#producer = new Producer({ clientId: `chorus-shared-${randomUUID().slice(0, 8)}`, bootstrapBrokers: [...o.brokers], idempotent: true, acks: -1, timeout: REQUEST_TIMEOUT_MS, retries: 2, retryDelay: 250 });
    this.#writer = new AppendBatcher({ producer: this.#producer, topic: o.topic, timeoutMs: o.writeTimeoutMs, maxQueuedRecords: MAX_QUEUED, maxBatchRecords: 1_000 });
  }

  async write(stream: string, value: Buffer): Promise<void> {
    await this.#writer.send([{ key: stream, partition: partitionOf(stream, this.#partitions), timestamp: Date.now(), value }]);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#producer.close().catch(() => {});
  }
}
