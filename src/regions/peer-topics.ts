import type { LogTail, TailConsumer } from '../log/log-tail.ts';
import { mirroredTopic } from './remote-lines.ts';

export interface PeerTopicsOptions<T> {
  region: string;
  peers: readonly string[];
  /** The topic's name in its origin region; a peer's mirror of it is `<peer>.<topic>`. */
  topic: string;
  /** A consumer-group tail of one topic that decodes its records. */
  tail: (topic: string) => LogTail<T>;
  /** One peer's records, in its order per stream; a failure hands the batch again. */
  handle: (peer: string, records: readonly T[]) => Promise<void>;
  /** Where a new group starts: `earliest` takes the peer's retained records, `latest` only new ones. */
  startAt: 'earliest' | 'latest';
  /** The group's name within the region (every gateway of the region shares it). */
  group: string;
  onError: (err: unknown) => void;
}

const MAX_BATCH = 500;

/**
 * Follows one mirrored topic of each peer in one consumer group per region,
 * so each record reaches one gateway of the region (another after a crash).
 * Start-up does not wait for the mirrored topics: they come with the mirror.
 */
export class PeerTopics<T> {
  readonly #tails: Array<LogTail<T>> = [];
  readonly #consumers: TailConsumer[] = [];

  constructor(o: PeerTopicsOptions<T>) {
    for (const peer of o.peers) {
      const tail = o.tail(mirroredTopic(peer, o.topic));
      this.#tails.push(tail);
      this.#consumers.push(tail.consume({
        group: `region-${o.region}-${o.group}`,
        handler: (records) => o.handle(peer, records),
        maxBatch: MAX_BATCH,
        startAt: o.startAt,
        onError: o.onError,
      }));
    }
  }

  /** Resolves once every peer's topic is followed. */
  async ready(): Promise<void> {
    await Promise.all(this.#consumers.map((c) => c.ready()));
  }

  async close(): Promise<void> {
    await Promise.all(this.#tails.map((t) => t.close()));
  }
}
