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
    const [leader] = await this.leaders([partition]);
    return (await this.fetchFrom(leader![0], new Map([[partition, offset]]), maxWaitMs, 1, maxBytes)).get(partition)!;
  }

  /** The partitions grouped by the broker that leads them: [node, partitions][]. */
  async leaders(partitions: readonly number[]): Promise<Array<[number, number[]]>> {
    const topic = await this.#topicMetadata();
    const byLeader = new Map<number, number[]>();
    for (const partition of partitions) {
      const leader = topic.partitions[partition]?.leader;
      if (leader === undefined || leader < 0) throw new Error(`kafka log: no leader for ${this.#topic}/${partition}`);
      const led = byLeader.get(leader);
      if (led === undefined) byLeader.set(leader, [partition]);
      else led.push(partition);
    }
    return [...byLeader];
  }

  /**
   * One fetch request to broker `node` for several partitions it leads, each
   * from its offset; the broker answers once `minBytes` are there or after
   * `maxWaitMs`. Per partition: its records and the offset to fetch next.
   */
  async fetchFrom(node: number, offsets: ReadonlyMap<number, number>, maxWaitMs: number, minBytes: number, maxBytes: number): Promise<Map<number, FetchResult>> {
    const topic = await this.#topicMetadata();
    const partitions = [...offsets].map(([partition, offset]) => ({ partition, fetchOffset: BigInt(offset), partitionMaxBytes: maxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }));
    const response = await this.#consumer.fetch({ node, maxWaitTime: maxWaitMs, minBytes, maxBytes, topics: [{ topicId: topic.id, partitions }] });
    const results = new Map<number, FetchResult>();
    for (const [partition, offset] of offsets) results.set(partition, { records: [], next: offset });
    for (const topicResponse of response.responses) {
      for (const p of topicResponse.partitions) {
        const result = results.get(p.partitionIndex);
        if (result === undefined) continue;
        const offset = offsets.get(p.partitionIndex)!;
        for (const batch of p.records ?? []) {
          const first = Number(batch.firstOffset);
          result.next = Math.max(result.next, first + batch.lastOffsetDelta + 1);
          for (const record of batch.records) {
            const at = first + record.offsetDelta;
            // A fetch returns whole batches, which may begin before the offset asked for.
            if (at >= offset) result.records.push({ offset: at, value: record.value });
          }
        }
      }
    }
    return results;
  }

  /** Per partition: the first offset still held (`earliest`) or the next offset to be written. */
  async offsets(which: 'earliest' | 'latest'): Promise<number[]> {
    const offsets = await this.#consumer.listOffsets({ topics: [this.#topic], timestamp: which === 'earliest' ? -2n : -1n });
    return (offsets.get(this.#topic) ?? []).map(Number);
  }

  close(): Promise<void> {
    return this.#consumer.close(true);
  }

  async #topicMetadata() {
    const metadata = await this.#consumer.metadata({ topics: [this.#topic] });
    const topic = metadata.topics.get(this.#topic);
    if (topic === undefined) throw new Error(`kafka log: no metadata for ${this.#topic}`);
    return topic;
  }
}
