import { randomUUID } from 'node:crypto';
import { FollowedTopic } from '../log/kafka/followed-topic.ts';
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
  readonly #pending: PendingReports;
  readonly #topic: FollowedTopic;
  #closed: Promise<void> | undefined;

  static async open(options: KafkaReportQueueOptions): Promise<KafkaReportQueue> {
    const pending = new PendingReports(options.maxPerStream, options.maxTotal);
    const topic = await FollowedTopic.open({
      brokers: options.brokers, topic: options.topic, partitions: options.partitions, replicas: options.replicas,
      configs: { 'retention.ms': String(options.retentionMs ?? RETENTION_MS) },
      name: 'reports', writeTimeoutMs: options.writeTimeoutMs, onError: options.onError,
      onRecord: (value) => apply(pending, decode(value)),
    });
    return new KafkaReportQueue(options, pending, topic);
  }

  private constructor(options: KafkaReportQueueOptions, pending: PendingReports, topic: FollowedTopic) {
    this.#o = options;
    this.#pending = pending;
    this.#topic = topic;
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
    this.#closed ??= this.#topic.close();
    return this.#closed;
  }

  async #write(stream: string, record: ReportRecord): Promise<void> {
    if (this.#closed !== undefined) throw new Error('report queue closed');
    await this.#topic.send([this.#topic.record(stream, Date.now(), Buffer.from(JSON.stringify(record)))]);
  }
}

function apply(pending: PendingReports, record: ReportRecord | undefined): void {
  if (record?.t === 'add') pending.add(record.report);
  else if (record?.t === 'dismiss') pending.dismiss(record.stream, record.id);
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
