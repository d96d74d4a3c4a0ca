import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { AppendBatcher } from '../log/kafka/append-batcher.ts';
import { partitionOf } from '../log/kafka/records.ts';
import { TopicFollower } from '../log/kafka/topic-follower.ts';
import { TopicReader } from '../log/kafka/topic-reader.ts';
import { ensureTopic } from '../log/kafka/topics.ts';
import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { ModlogQuery, ModlogStore, ModlogStoreOptions } from './modlog-store.ts';
import { ModlogWindow } from './modlog-window.ts';

export interface KafkaModlogOptions extends ModlogStoreOptions {
  brokers: readonly string[];
  /** The audit log's topic, apart from the chat log's, keyed and partitioned by stream. */
  topic: string;
  /** Used when this call creates the topic. */
  partitions: number;
  replicas: number;
  /** Entries this gateway keeps in memory over all streams (modlogMemoryMax). */
  maxTotal: number;
  /** An append not acknowledged by then fails. */
  writeTimeoutMs: number;
  onError: (error: Error) => void;
}

const OPEN_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Cluster mode's audit log: each entry is a record in its own topic (the
 * idempotent producer, acks from all in-sync replicas), keyed by stream so a
 * stream's entries keep one order in one partition; an entry's offset is its
 * cursor. Every gateway follows the topic into a bounded window in memory
 * (modlog-window.ts) and answers pages from it: an action shows in GET on
 * its own gateway once acknowledged, on others within a fetch wait. The
 * topic's retention.ms is modlogRetentionMs, so a restart reads back only
 * what retention keeps.
 */
export class KafkaModlog implements ModlogStore {
  readonly #o: KafkaModlogOptions;
  readonly #partitions: number;
  readonly #window: ModlogWindow;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #writer: AppendBatcher;
  readonly #reader: TopicReader;
  readonly #follower: TopicFollower;
  #closed: Promise<void> | undefined;

  static async open(options: KafkaModlogOptions): Promise<KafkaModlog> {
    const partitions = await ensureTopic({
      brokers: options.brokers, topic: options.topic, partitions: options.partitions, replicas: options.replicas,
      configs: { 'retention.ms': String(options.retentionMs) },
    });
    const modlog = new KafkaModlog(options, partitions);
    try {
      await modlog.#follower.start(OPEN_TIMEOUT_MS);
    } catch (error) {
      await modlog.close();
      throw error;
    }
    return modlog;
  }

  private constructor(options: KafkaModlogOptions, partitions: number) {
    this.#o = options;
    this.#partitions = partitions;
    this.#window = new ModlogWindow(options.maxPerStream, options.maxTotal);
    const clientId = `chorus-modlog-${randomUUID().slice(0, 8)}`;
    this.#producer = new Producer({ clientId, bootstrapBrokers: [...options.brokers], idempotent: true, acks: -1, timeout: REQUEST_TIMEOUT_MS, retries: 2, retryDelay: 250 });
    this.#writer = new AppendBatcher({ producer: this.#producer, topic: options.topic, timeoutMs: options.writeTimeoutMs, maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
    this.#reader = new TopicReader({ brokers: options.brokers, topic: options.topic, clientId: `${clientId}-tail`, timeoutMs: REQUEST_TIMEOUT_MS });
    this.#follower = new TopicFollower({
      reader: this.#reader,
      onRecord: (value, offset) => {
        const entry = decode(value, offset);
        if (entry !== undefined) this.#window.add(entry);
      },
      onError: options.onError,
    });
  }

  async append(entry: Omit<ModlogEntry, 'cursor'>): Promise<ModlogEntry> {
    if (this.#closed !== undefined) throw new Error('audit log closed');
    const record = { key: entry.stream, partition: partitionOf(entry.stream, this.#partitions), timestamp: entry.ts, value: Buffer.from(JSON.stringify(entry)) };
    const [cursor] = await this.#writer.send([record]);
    const stored: ModlogEntry = { cursor: cursor!, ...entry };
    this.#window.add(stored);
    return stored;
  }

  async page(stream: string, query: ModlogQuery): Promise<ModlogEntry[]> {
    return this.#window.page(stream, query, this.#o.now() - this.#o.retentionMs);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#writer.close();
      await this.#follower.stop();
      await Promise.allSettled([this.#producer.close(), this.#reader.close()]);
    })();
    return this.#closed;
  }
}

/** Undefined for a value that is not an entry. */
function decode(value: Buffer | null, offset: number): ModlogEntry | undefined {
  if (value === null) return undefined;
  try {
    const entry = JSON.parse(value.toString('utf8')) as Omit<ModlogEntry, 'cursor'>;
    if (typeof entry.stream === 'string' && typeof entry.action === 'string' && typeof entry.ts === 'number') return { cursor: offset, ...entry };
  } catch {
    // fall through
  }
  return undefined;
}
