import type { Draft } from '../broker/broker.ts';
import type { RegionRecord } from '../log/log.ts';
import type { LogTail, TailConsumer } from '../log/log-tail.ts';
import { parseHlc, type Hlc, type HybridClock } from './hlc.ts';
import { SeenIds } from './seen-ids.ts';

/** Where a peer's lines and watermarks go (src/regions/remote-intake.ts). */
export interface RemoteIntake {
  /** Before a batch is handed over, with the streams of its lines (their ordering may need reading). */
  prepare(streams: string[]): Promise<void>;
  /** A line entering this region's order, once; resolves once the region holds it. Called in the peer's log order. */
  line(draft: Draft, sampled: boolean, hlc: Hlc | undefined): Promise<unknown>;
  /** The peer stamps nothing more at or below `hlc` in this partition of its topic. */
  watermark(hlc: Hlc, partition: number, partitions: number): void;
}

export interface RemoteLinesOptions {
  /** This region. */
  region: string;
  /** The regions whose logs MirrorMaker 2 copies into this region's Kafka. */
  peers: readonly string[];
  /** This region's log topic; a peer's mirror of its own is `<peer>.<topic>`. */
  topic: string;
  /** A consumer-group tail of one topic (the cluster's KafkaLogTail, picking region records). */
  tail: (topic: string) => LogTail<RegionRecord>;
  /** Where a remote line enters this region's order, once. */
  intake: RemoteIntake;
  /** This region's clock: it observes each remote stamp, so later local stamps order after it. */
  clock: HybridClock;
  /** The consumer group's name within the region (every gateway of the region shares it). */
  group?: string;
  onError: (err: unknown) => void;
}

/** MirrorMaker 2's default name for `topic` of the cluster `peer` in the cluster it copies to. */
export function mirroredTopic(peer: string, topic: string): string {
  return `${peer}.${topic}`;
}

// Ids each gateway remembers to skip repeats without asking Redis.
const SEEN_CAPACITY = 100_000;
const MAX_BATCH = 500;

/**
 * Follows each peer's mirrored log and hands the peer's own lines and
 * watermarks to the intake (on arrival, or through a stream's global
 * order: src/regions/remote-intake.ts). Each peer's topic is read
 * by one consumer group per region, so each line reaches one gateway of the
 * region (another after a crash, at least once); a line is taken once by its
 * id: first this gateway's memory, then the region-wide once-key of the stamp.
 * Lines of other origins in a peer's log (what the peer took in itself) are
 * skipped: they come from their own origin's mirror.
 */
export class RemoteLines {
  readonly #o: RemoteLinesOptions;
  readonly #seen = new SeenIds(SEEN_CAPACITY);
  readonly #tails: Array<LogTail<RegionRecord>> = [];
  readonly #consumers: TailConsumer[] = [];

  constructor(options: RemoteLinesOptions) {
    this.#o = options;
    for (const peer of options.peers) {
      const tail = options.tail(mirroredTopic(peer, options.topic));
      this.#tails.push(tail);
      this.#consumers.push(tail.consume({
        group: `region-${options.region}-${options.group ?? 'gateways'}`,
        handler: (records) => this.#take(peer, records),
        maxBatch: MAX_BATCH,
        // A region that starts following a peer takes its lines from then on, not its retained past as if it were live.
        startAt: 'latest',
        onError: options.onError,
      }));
    }
  }

  /** Resolves once every peer's topic is followed: lines appended afterwards arrive. */
  async ready(): Promise<void> {
    await Promise.all(this.#consumers.map((c) => c.ready()));
  }

  async close(): Promise<void> {
    await Promise.all(this.#tails.map((t) => t.close()));
  }

  /**
   * Lines are handed over in the peer's log order (the intake's stamps run in
   * call order on the window's one Redis connection, so in regional order a
   * stream's lines from one peer enter in the order of the peer's log); the
   * appends to this region's Kafka then go together. A failure fails the
   * batch, which comes again; the lines already taken are then skipped.
   */
  async #take(peer: string, records: readonly RegionRecord[]): Promise<void> {
    await this.#o.intake.prepare(records.flatMap((r) => (r.kind === 'line' ? [r.entry.message.stream] : [])));
    const admits: Array<Promise<unknown>> = [];
    for (const record of records) {
      if (record.kind === 'watermark') {
        const stamp = parseHlc(record.hlc);
        if (stamp?.region === peer) this.#o.intake.watermark(stamp, record.partition, record.partitions);
        continue;
      }
      const { message, sampled, hlc } = record.entry;
      if (message.origin !== peer || !this.#seen.firstTime(message.id)) continue;
      const parsed = hlc === undefined ? undefined : parseHlc(hlc);
      const stamp = parsed?.region === peer ? parsed : undefined;
      if (stamp !== undefined) this.#o.clock.observe(stamp);
      const { seq: _originSeq, ...line } = message;
      const draft: Draft = hlc === undefined ? line : { ...line, hlc };
      admits.push(this.#o.intake.line(draft, sampled, stamp).catch((err: unknown) => {
        this.#seen.forget(message.id);
        throw err;
      }));
    }
    const failed = (await Promise.allSettled(admits)).find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
