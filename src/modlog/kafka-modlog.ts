import { FollowedTopic } from '../log/kafka/followed-topic.ts';
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
  readonly #window: ModlogWindow;
  readonly #topic: FollowedTopic;
  #closed: Promise<void> | undefined;

  static async open(options: KafkaModlogOptions): Promise<KafkaModlog> {
    const window = new ModlogWindow(options.maxPerStream, options.maxTotal);
    const topic = await FollowedTopic.open({
      brokers: options.brokers, topic: options.topic, partitions: options.partitions, replicas: options.replicas,
      configs: { 'retention.ms': String(options.retentionMs) },
      name: 'modlog', writeTimeoutMs: options.writeTimeoutMs, onError: options.onError,
      onRecord: (value, offset) => {
        const entry = decode(value, offset);
        if (entry !== undefined) window.add(entry);
      },
    });
    return new KafkaModlog(options, window, topic);
  }

  private constructor(options: KafkaModlogOptions, window: ModlogWindow, topic: FollowedTopic) {
    this.#o = options;
    this.#window = window;
    this.#topic = topic;
  }

  async append(entry: Omit<ModlogEntry, 'cursor'>): Promise<ModlogEntry> {
    if (this.#closed !== undefined) throw new Error('audit log closed');
    const [cursor] = await this.#topic.send([this.#topic.record(entry.stream, entry.ts, Buffer.from(JSON.stringify(entry)))]);
    const stored: ModlogEntry = { cursor: cursor!, ...entry };
    this.#window.add(stored);
    return stored;
  }

  async page(stream: string, query: ModlogQuery): Promise<ModlogEntry[]> {
    return this.#window.page(stream, query, this.#o.now() - this.#o.retentionMs);
  }

  close(): Promise<void> {
    this.#closed ??= this.#topic.close();
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
