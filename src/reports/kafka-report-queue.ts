import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import { AppendBatcher } from '../log/kafka/append-batcher.ts';
import { partitionOf } from '../log/kafka/records.ts';
import { TopicFollower } from '../log/kafka/topic-follower.ts';
import { TopicReader } from '../log/kafka/topic-reader.ts';
import { ensureTopic } from '../log/kafka/topics.ts';
import { PendingReports } from './pending-reports.ts';
import { ReportQueueFull, type NewReport, type Report, type ReportQueue } from './report-queue.ts';

export interface KafkaReportQueueOptions {
  brokers: readonly string[];
  /** The reports topic, apart from the chat log's: a flood of reports never touches chat. */
  topic: string;
  /** Used when this call creates the topic. */
  partitions: number;
  replicas: number;
  /** The topic's retention.ms when created: a report pending longer is forgotten at the next start (default a week). */
  retentionMs?: number;
  maxPerStream: number;
  maxTotal: number;
  /** An add or dismissal not acknowledged by then fails. */
  writeTimeoutMs: number;
  onError: (error: Error) => void;
}

/** What the reports topic holds: adds and dismissals, keyed by stream. */
type ReportRecord = { t: 'add'; report: Report } | { t: 'dismiss'; stream: string; id: string };

// A report nobody handled in a week is forgotten when the reports topic drops it.
const RETENTION_MS = 7 * 24 * 3_600_000;
const OPEN_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Cluster mode's report queue: every add and dismissal is a record in the
 * reports topic (idempotent producer, acks from all in-sync replicas), and
 * every gateway follows the whole topic into the same bounded view in
 * memory, so `list` is answered from memory and agrees across gateways once
 * they have read the topic. A call resolves after Kafka acknowledged its
 * record.
 */
export class KafkaReportQueue implements ReportQueue {
  readonly #o: KafkaReportQueueOptions;
  readonly #partitions: number;
  readonly #pending: PendingReports;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #writer: AppendBatcher;
  readonly #reader: TopicReader;
  readonly #follower: TopicFollower;
  #closed: Promise<void> | undefined;

  static async open(options: KafkaReportQueueOptions): Promise<KafkaReportQueue> {
    const partitions = await ensureTopic({
      brokers: options.brokers,
      topic: options.topic,
      partitions: options.partitions,
      replicas: options.replicas,
      configs: { 'retention.ms': String(options.retentionMs ?? RETENTION_MS) },
    });
    const queue = new KafkaReportQueue(options, partitions);
    try {
      await queue.#follower.start(OPEN_TIMEOUT_MS);
    } catch (error) {
      await queue.close();
      throw error;
    }
    return queue;
  }

  private constructor(options: KafkaReportQueueOptions, partitions: number) {
    this.#o = options;
    this.#partitions = partitions;
    this.#pending = new PendingReports(options.maxPerStream, options.maxTotal);
    const clientId = `chorus-reports-${randomUUID().slice(0, 8)}`;
    this.#producer = new Producer({ clientId, bootstrapBrokers: [...options.brokers], idempotent: true, acks: -1, timeout: REQUEST_TIMEOUT_MS, retries: 2, retryDelay: 250 });
    this.#writer = new AppendBatcher({ producer: this.#producer, topic: options.topic, timeoutMs: options.writeTimeoutMs, maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
    this.#reader = new TopicReader({ brokers: options.brokers, topic: options.topic, clientId: `${clientId}-tail`, timeoutMs: REQUEST_TIMEOUT_MS });
    this.#follower = new TopicFollower({ reader: this.#reader, onRecord: (value) => this.#apply(decode(value)), onError: options.onError });
  }

  async add(report: NewReport): Promise<Report> {
    const duplicate = this.#pending.duplicateOf(report);
    if (duplicate !== undefined) return duplicate;
    if (this.#pending.total >= this.#o.maxTotal) throw new ReportQueueFull('the report queue is full');
    const full: Report = { ...report, id: randomUUID() };
    await this.#write(report.stream, { t: 'add', report: full });
    this.#pending.add(full);
    return this.#pending.duplicateOf(report) ?? full;
  }

  async list(stream: string, limit: number): Promise<Report[]> {
    return this.#pending.list(stream, limit);
  }

  async dismiss(stream: string, id: string): Promise<boolean> {
    if (!this.#pending.has(stream, id)) return false;
    await this.#write(stream, { t: 'dismiss', stream, id });
    this.#pending.dismiss(stream, id);
    return true;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#writer.close();
      await this.#follower.stop();
      await Promise.allSettled([this.#producer.close(), this.#reader.close()]);
    })();
    return this.#closed;
  }

  async #write(stream: string, record: ReportRecord): Promise<void> {
    if (this.#closed !== undefined) throw new Error('report queue closed');
    await this.#writer.send([{ key: stream, partition: partitionOf(stream, this.#partitions), timestamp: Date.now(), value: Buffer.from(JSON.stringify(record)) }]);
  }

  #apply(record: ReportRecord | undefined): void {
    if (record?.t === 'add') this.#pending.add(record.report);
    else if (record?.t === 'dismiss') this.#pending.dismiss(record.stream, record.id);
  }
}

/** Undefined for a value that is not one of our records. */
function decode(value: Buffer | null): ReportRecord | undefined {
  if (value === null) return undefined;
  try {
    const record = JSON.parse(value.toString('utf8')) as ReportRecord;
    if (record.t === 'add' && typeof record.report?.id === 'string' && typeof record.report.stream === 'string') return record;
    if (record.t === 'dismiss' && typeof record.stream === 'string' && typeof record.id === 'string') return record;
  } catch {
    // fall through
  }
  return undefined;
}
