import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { AppendBatcher, type OutgoingRecord } from './append-batcher.ts';
import { partitionOf } from './records.ts';
import { TopicFollower } from './topic-follower.ts';
import { TopicReader } from './topic-reader.ts';
import { ensureTopic } from './topics.ts';

export interface FollowedTopicOptions {
  brokers: readonly string[];
  topic: string;
  /** Used when this call creates the topic. */
  partitions: number;
  /** Used when this call creates the topic; its min.insync.replicas is one less (at least 1). */
  replicas: number;
  /** Topic configs when this call creates it (its retention.ms at least). */
  configs: Record<string, string>;
  /** Its clients are named `chorus-<name>-<random>-<role>`. */
  name: string;
  /** A write not acknowledged by then fails. */
  writeTimeoutMs: number;
  /** Longest wait to catch up with the topic at open (default 60 s). */
  openTimeoutMs?: number;
  /** Each record's value at its offset, in offset order per partition, whichever gateway wrote it (our own too, when read back). */
  onRecord: (value: Buffer | null, offset: number) => void;
  /** Told about each failed fetch while following; the follower retries. */
  onError: (error: Error) => void;
}

const OPEN_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * A topic every gateway writes and follows whole, into a view of its own in
 * memory (the log's index, the pending reports, the audit log's window).
 * Records are keyed by stream into the partition the stream hashes to, so a
 * stream's records keep one order; the idempotent producer waits for acks
 * from all in-sync replicas, with group commit (append-batcher.ts). `open`
 * returns once the view has caught up with the topic's end at that moment.
 */
export class FollowedTopic {
  readonly partitions: number;
  /** Further clients of this topic (the log's read pool) take it as a prefix. */
  readonly clientId: string;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #writer: AppendBatcher;
  readonly #reader: TopicReader;
  readonly #follower: TopicFollower;
  #closed: Promise<void> | undefined;

  static async open(options: FollowedTopicOptions): Promise<FollowedTopic> {
    const { brokers, topic, partitions, replicas, configs } = options;
    const topicPartitions = await ensureTopic({ brokers, topic, partitions, replicas, configs });
    const followed = new FollowedTopic(options, topicPartitions);
    try {
      await followed.#follower.start(options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
    } catch (error) {
      await followed.close();
      throw error;
    }
    return followed;
  }

  private constructor(options: FollowedTopicOptions, partitions: number) {
    this.partitions = partitions;
    this.clientId = `chorus-${options.name}-${randomUUID().slice(0, 8)}`;
    this.#producer = new Producer({
      clientId: `${this.clientId}-producer`,
      bootstrapBrokers: [...options.brokers],
      idempotent: true,
      acks: -1,
      timeout: REQUEST_TIMEOUT_MS,
      retries: 2,
      retryDelay: 250,
    });
    this.#writer = new AppendBatcher({ producer: this.#producer, topic: options.topic, timeoutMs: options.writeTimeoutMs, maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
    this.#reader = new TopicReader({ brokers: options.brokers, topic: options.topic, clientId: `${this.clientId}-tail`, timeoutMs: REQUEST_TIMEOUT_MS });
    this.#follower = new TopicFollower({ reader: this.#reader, onRecord: options.onRecord, onError: options.onError });
  }

  /** A record of `stream`, for the stream's partition. */
  record(stream: string, timestamp: number, value: Buffer): OutgoingRecord {
    return { key: stream, partition: partitionOf(stream, this.partitions), timestamp, value };
  }

  /** Resolves with each record's offset once Kafka acknowledged all of them. */
  send(records: OutgoingRecord[]): Promise<number[]> {
    return this.#writer.send(records);
  }

  /** Waits for the write in flight, refuses what is queued, stops following. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#writer.close();
      await this.#follower.stop();
      await Promise.allSettled([this.#producer.close(), this.#reader.close()]);
    })();
    return this.#closed;
  }
}
