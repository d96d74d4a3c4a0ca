import type { Bus } from '../bus/bus.ts';
import type { RetractReason } from '../chat/retraction.ts';
import type { DurableLog, HistoryPage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import { stamped, type Broker, type Draft } from './broker.ts';
import type { ClusterLog } from './cluster-log.ts';
import { StampTimedOut, type RecentWindow } from './recent-window.ts';

export interface ClusterBrokerParts {
  /** Stamps, keeps and publishes in one Redis script: the one owner of cluster seqs. */
  window: RecentWindow;
  /** The durable log alone; the sender's ack waits for its append. */
  kafka: DurableLog;
  /** History as readers see it: Kafka with the window in front of it. */
  history: ClusterLog;
  /** Carries the retraction of a message Kafka refused after it was shown. */
  bus: Bus;
  onError: (err: unknown) => void;
}

// When Redis has lost a stream's counter, seqs restart this far above the
// newest one in Kafka: messages stamped before the loss and still on their
// way to Kafka (at most the append timeout's worth) keep seqs nobody reuses.
const SEQ_FLOOR_MARGIN = 100_000;

/**
 * The cluster broker: one Redis script stamps the seq, keeps the message in
 * the recent window and publishes it, so the bus carries each stream's
 * messages in seq order whichever gateway accepted them; then the message
 * goes to Kafka, and the sender's ack waits for Kafka's. If Kafka refuses
 * it, the message, already shown, is retracted (reason `unstored`) and the
 * sender told `unavailable`: nothing acknowledged is ever missing from the log.
 * A stamp Redis answers only after its deadline is taken back the same way.
 */
export class ClusterBroker implements Broker {
  readonly #p: ClusterBrokerParts;

  constructor(parts: ClusterBrokerParts) {
    this.#p = parts;
  }

  publish(draft: Draft, sampled: boolean): Promise<Message> {
    return this.#publish(draft, sampled, undefined) as Promise<Message>;
  }

  /**
   * A line another region accepted, entering this region's order: stamped
   * with this region's next seq, kept, published and stored like a local
   * line, but once per id within `onceMs` whichever gateway of the region
   * takes it; undefined when the region has it already. If the log refuses
   * it, it is retracted and may be taken again.
   */
  admit(draft: Draft, sampled: boolean, onceMs: number): Promise<Message | undefined> {
    return this.#publish(draft, sampled, onceMs);
  }

  async #publish(draft: Draft, sampled: boolean, onceMs: number | undefined): Promise<Message | undefined> {
    const stamp = (floor: number | undefined) => (onceMs === undefined ? this.#p.window.stamp(draft, !sampled, floor) : this.#p.window.stampOnce(draft, !sampled, floor, onceMs));
    let seq: number | null | 'duplicate';
    try {
      seq = await stamp(undefined);
      if (seq === null) {
        // Redis has no counter for the stream (first use, or it lost its data): seed it from Kafka, unless another gateway did first.
        const newest = await this.#p.kafka.lastSeq(draft.stream);
        seq = await stamp(newest === 0 ? 0 : newest + SEQ_FLOOR_MARGIN);
      }
    } catch (err) {
      if (err instanceof StampTimedOut) this.#takeBackLate(err, draft, sampled, onceMs);
      throw err;
    }
    if (seq === 'duplicate') return undefined;
    const message = stamped(draft, seq!);
    try {
      await this.#p.kafka.append([draft.hlc === undefined ? { message, sampled } : { message, sampled, hlc: draft.hlc }]);
    } catch (err) {
      if (!sampled) this.#unshow(message);
      if (onceMs !== undefined) await this.#p.window.forgetOnce(draft.stream, draft.id).catch(this.#p.onError);
      throw err;
    }
    return message;
  }

  latest(stream: string, limit: number): Promise<HistoryPage> {
    return this.#p.history.latest(stream, limit);
  }

  since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    return this.#p.history.since(stream, afterSeq, limit);
  }

  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    return this.#p.history.range(stream, fromMs, toMs, limit, includeSampled);
  }

  lastSeq(stream: string): Promise<number> {
    return this.#p.history.lastSeq(stream);
  }

  /**
   * The sender is refused, so a line the timed-out stamp showed after all
   * would be shown and never stored: take it back, as a refused append does.
   */
  #takeBackLate(timedOut: StampTimedOut, draft: Draft, sampled: boolean, onceMs: number | undefined): void {
    void timedOut.lateSeq(draft.id).then(async (seq) => {
      if (typeof seq !== 'number') return;
      if (!sampled) this.#unshow(stamped(draft, seq));
      if (onceMs !== undefined) await this.#p.window.forgetOnce(draft.stream, draft.id);
    }).catch(this.#p.onError);
  }

  #unshow(message: Message): void {
    const reason: RetractReason = 'unstored';
    this.#p.window.remove(message.stream, [message.id]).catch(this.#p.onError);
    this.#p.bus.publish(message.stream, { kind: 'retract', ids: [message.id], reason }).catch(this.#p.onError);
  }
}
