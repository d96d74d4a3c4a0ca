// Low-level reads of the log topic: one fetch of one partition from an offset,
// with the partition leader and topic id taken from (cached) metadata.
import { Consumer } from '@platformatic/kafka';

export interface FetchedRecord {
  offset: number;
  value: Buffer | null;
}

export interface FetchResult {
  records: FetchedRecord[];
  /** The offset to fetch next (past every batch returned, or the same offset when none was). */
  next: number;
}

export interface TopicReaderOptions {
  brokers: readonly string[];
  topic: string;
  clientId: string;
  /** Each Kafka request's own timeout. */
  timeoutMs: number;
}

/**
 * One fetch connection. The client keeps an incremental fetch session per
 * broker, so a reader must not have two fetches in flight: callers serialise.
 */
export class TopicReader {
  readonly #consumer: Consumer;
  readonly #topic: string;

  constructor(options: TopicReaderOptions) {
    this.#topic = options.topic;
    // A consumer that never joins its group: it only fetches partitions it is told to.
    this.#consumer = new Consumer({
      clientId: options.clientId,
      groupId: `${options.clientId}-nogroup`,
      bootstrapBrokers: [...options.brokers],
      timeout: options.timeoutMs,
      retries: 1,
      retryDelay: 100,
    });
  }

  /** Fetches records of one partition from `offset`; waits up to `maxWaitMs` for new ones when there are none. */
  async fetch(partition: number, offset: number, maxWaitMs: number, maxBytes: number): Promise<FetchResult> {
    const metadata = await this.#consumer.metadata({ topics: [this.#topic] });
    const topic = metadata.topics.get(this.#topic);
    const leader = topic?.partitions[partition]?.leader;
    if (topic === undefined || leader === undefined || leader < 0) throw new Error(`kafka log: no leader for ${this.#topic}/${partition}`);
    const response = await this.#consumer.fetch({
      node: leader,
      maxWaitTime: maxWaitMs,
      minBytes: 1,
      maxBytes,
      topics: [{ topicId: topic.id, partitions: [{ partition, fetchOffset: BigInt(offset), partitionMaxBytes: maxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
    });
    const records: FetchedRecord[] = [];
    let next = offset;
    for (const topicResponse of response.responses) {
      for (const p of topicResponse.partitions) {
        for (const batch of p.records ?? []) {
          const first = Number(batch.firstOffset);
          next = Math.max(next, first + batch.lastOffsetDelta + 1);
          for (const record of batch.records) {
            const at = first + record.offsetDelta;
            // A fetch returns whole batches, which may begin before the offset asked for.
            if (at >= offset) records.push({ offset: at, value: record.value });
          }
        }
      }
    }
    return { records, next };
  }

  /** Per partition: the first offset still held (`earliest`) or the next offset to be written. */
  async offsets(which: 'earliest' | 'latest'): Promise<number[]> {
    const offsets = await this.#consumer.listOffsets({ topics: [this.#topic], timestamp: which === 'earliest' ? -2n : -1n });
    return (offsets.get(this.#topic) ?? []).map(Number);
  }

  close(): Promise<void> {
    return this.#consumer.close(true);
  }
}
