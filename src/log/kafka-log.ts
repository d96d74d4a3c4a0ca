import type { Message } from '../protocol/types.ts';
import type { OutgoingRecord } from './kafka/append-batcher.ts';
import { readBodies } from './kafka/bodies.ts';
import { FollowedTopic } from './kafka/followed-topic.ts';
import { ReadPool } from './kafka/read-pool.ts';
import { decodeRecord, encodeRecord, partitionOf, type LogRecord } from './kafka/records.ts';
import { StreamIndex, type IndexEntry } from './kafka/stream-index.ts';
import { TopicReader } from './kafka/topic-reader.ts';
import type { DurableLog, HistoryPage, LoggedMessage, RegionLog, UserRetraction } from './log.ts';

export interface KafkaLogOptions {
  brokers: readonly string[];
  topic: string;
  /** Used when this call creates the topic. */
  partitions: number;
  /** Used when this call creates the topic; also its min.insync.replicas is this minus one (at least 1). */
  replicas: number;
  /** The topic's retention.ms when created; the index forgets older messages too. */
  retentionMs: number;
  /** Messages per stream the index (and so history and replay) covers. */
  maxMessagesPerStream: number;
  /** Messages the whole index holds; the least recently written streams are forgotten first. */
  maxIndexedMessages: number;
  /** An append not acknowledged by then is rejected (the sender is told `unavailable`). */
  appendTimeoutMs: number;
  /** Longest wait for the index to catch up with the topic at open. */
  openTimeoutMs?: number;
  /** Most messages one read returns, whatever it asks. */
  maxReadMessages?: number;
  /** Parallel fetch connections for history reads. */
  readers?: number;
  /** Reads waiting for a reader beyond this are refused. */
  maxQueuedReads?: number;
  /** Where a failed background fetch is reported; default console.error. */
  onError?: (error: Error) => void;
}

const PRUNE_INTERVAL_MS = 60_000;
const REQUEST_TIMEOUT_MS = 5000;

/**
 * The durable log on Kafka: one topic, each stream's records in the
 * partition its name hashes to, written by an idempotent producer with acks
 * from all in-sync replicas. Retractions are records in the same topic.
 * Every instance follows the whole topic into a bounded in-memory index
 * (seq, offset, flags; no bodies) and reads bodies from Kafka by offset.
 * See docs/decisions.md.
 */
export class KafkaLog implements DurableLog, RegionLog {
  readonly #options: KafkaLogOptions;
  readonly #index: StreamIndex;
  readonly #topic: FollowedTopic;
  readonly #reads: ReadPool;
  readonly #pruneTimer: NodeJS.Timeout;
  #closed: Promise<void> | undefined;

  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    const index = new StreamIndex({ maxPerStream: options.maxMessagesPerStream, maxTotal: options.maxIndexedMessages });
    const topic = await FollowedTopic.open({
      brokers: options.brokers, topic: options.topic, partitions: options.partitions, replicas: options.replicas,
      configs: { 'retention.ms': String(options.retentionMs), 'message.timestamp.type': 'CreateTime' },
      name: 'log', writeTimeoutMs: options.appendTimeoutMs, openTimeoutMs: options.openTimeoutMs,
      onRecord: (value, offset) => index.apply(decodeRecord(value), offset),
      onError: options.onError ?? ((error: Error) => console.error('kafka log:', error.message)),
    });
    return new KafkaLog(options, index, topic);
  }

  private constructor(options: KafkaLogOptions, index: StreamIndex, topic: FollowedTopic) {
    this.#options = options;
    this.#index = index;
    this.#topic = topic;
    const reader = (i: number): TopicReader =>
      new TopicReader({ brokers: options.brokers, topic: options.topic, clientId: `${topic.clientId}-read${i}`, timeoutMs: REQUEST_TIMEOUT_MS });
    this.#reads = new ReadPool(Array.from({ length: options.readers ?? 2 }, (_, i) => reader(i)), options.maxQueuedReads ?? 1000);
    this.#pruneTimer = setInterval(() => this.#index.pruneOlderThan(Date.now() - options.retentionMs), PRUNE_INTERVAL_MS).unref();
  }

  async append(entries: LoggedMessage[]): Promise<void> {
    if (entries.length === 0) return;
    const records: LogRecord[] = entries.map(({ message, sampled, hlc }) => (hlc === undefined ? { t: 'm', m: message, s: sampled } : { t: 'm', m: message, s: sampled, h: hlc }));
    const offsets = await this.#write(entries.map(({ message }, i) => this.#outgoing(message.stream, message.ts, records[i]!)));
    records.forEach((record, i) => this.#index.apply(record, offsets[i]!));
  }

  /** How many partitions the topic has (its own count, if it existed before with another). */
  get partitions(): number {
    return this.#topic.partitions;
  }

  async appendHeld(message: Message, hlc: string): Promise<void> {
    await this.#write([this.#outgoing(message.stream, message.ts, { t: 'g', m: message, h: hlc })]);
  }

  async appendWatermark(hlc: string, partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    const now = Date.now();
    const n = this.#topic.partitions;
    const records = partitions.map((p): OutgoingRecord => ({ key: `watermark-${p}`, partition: p, timestamp: now, value: encodeRecord({ t: 'w', h: hlc, p, n }) }));
    await this.#write(records);
  }

  async retract(stream: string, ids: string[]): Promise<string[]> {
    const found = this.#index.find(stream, ids);
    if (found.length === 0) return [];
    const record: LogRecord = { t: 'r', stream, ids: found };
    const [offset] = await this.#write([this.#outgoing(stream, Date.now(), record)]);
    this.#index.apply(record, offset!);
    return found;
  }

  /** The bounded set is picked here and written as ids, so every gateway retracts exactly these. */
  retractUser(stream: string, userId: string, bounds: UserRetraction): Promise<string[]> {
    return this.retract(stream, this.#index.userEntries(stream, userId, bounds.max, bounds.sinceMs).map((e) => e.id));
  }

  async message(stream: string, id: string): Promise<Message | undefined> {
    const found = this.#index.entries(stream).filter((e) => e.id === id);
    return (await this.#read(`message:${stream}:${id}`, stream, () => found, true))[0];
  }

  async newestOf(stream: string, userId: string): Promise<Message | undefined> {
    const newest = this.#index.userEntries(stream, userId, 1, 0);
    return (await this.#read(`newestOf:${stream}:${userId}:${this.#index.lastSeq(stream)}`, stream, () => newest))[0];
  }

  async latest(stream: string, limit: number): Promise<HistoryPage> {
    const lastSeq = this.#index.lastSeq(stream);
    const n = this.#cap(limit);
    const messages = await this.#read(`latest:${stream}:${n}:${lastSeq}`, stream, () => this.#index.latest(stream, n));
    return { messages, lastSeq };
  }

  async since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    const lastSeq = this.#index.lastSeq(stream);
    const n = this.#cap(limit);
    const messages = await this.#read(`since:${stream}:${afterSeq}:${n}:${lastSeq}`, stream, () => this.#index.since(stream, afterSeq, n));
    return { messages, lastSeq };
  }

  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    const n = this.#cap(limit);
    const key = `range:${stream}:${fromMs}:${toMs}:${n}:${includeSampled}:${this.#index.lastSeq(stream)}`;
    return this.#read(key, stream, () => this.#index.range(stream, fromMs, toMs, n, includeSampled));
  }

  async lastSeq(stream: string): Promise<number> {
    return this.#index.lastSeq(stream);
  }

  /** The brokers keep the disks: an append they cannot take times out and its sender is told `unavailable`. */
  async checkWritable(): Promise<void> {}

  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#pruneTimer);
      await this.#topic.close();
      await this.#reads.close().catch(() => {});
    })();
    return this.#closed;
  }

  #outgoing(stream: string, timestamp: number, record: LogRecord): OutgoingRecord {
    return this.#topic.record(stream, timestamp, encodeRecord(record));
  }

  #write(records: OutgoingRecord[]): Promise<number[]> {
    if (this.#closed !== undefined) return Promise.reject(new Error('kafka log closed'));
    return this.#topic.send(records);
  }

  /**
   * Picks entries from the index, then fetches their bodies. The key names the
   * question and the stream's lastSeq, so identical concurrent reads share one
   * fetch, and a read never shares a result from before a newer append.
   * Retractions are filtered again after the fetch, in case one arrived meanwhile
   * (unless asked for, as `message` is).
   */
  #read(key: string, stream: string, pick: () => IndexEntry[], withRetracted = false): Promise<Message[]> {
    if (this.#closed !== undefined) return Promise.reject(new Error('kafka log closed'));
    const entries = pick();
    if (entries.length === 0) return Promise.resolve([]);
    return this.#reads.read(key, async (reader) => {
      const offsets = entries.map((e) => e.offset).sort((a, b) => a - b);
      const bodies = await readBodies(reader, partitionOf(stream, this.#topic.partitions), offsets);
      return entries.flatMap((e) => (e.retracted && !withRetracted ? [] : (bodies.get(e.offset) ?? [])));
    });
  }

  #cap(limit: number): number {
    return Number.isFinite(limit) && limit > 0 ? Math.min(Math.floor(limit), this.#options.maxReadMessages ?? 10_000) : 0;
  }
}
