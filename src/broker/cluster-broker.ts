import type { Bus } from '../bus/bus.ts';
import type { RetractReason } from '../chat/retraction.ts';
import { stamped, type Draft, type MessagePublisher } from './broker.ts';
import type { DurableLog } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import type { RecentWindow } from './recent-window.ts';

// When Redis has lost a stream's counter, seqs restart this far above the
// newest one in Kafka: messages stamped before the loss and still on their
// way to Kafka (at most the append timeout's worth) keep seqs nobody reuses.
const SEQ_FLOOR_MARGIN = 100_000;

/**
 * The cluster publisher: one Redis script stamps the seq, keeps the message
 * in the recent window and publishes it, so the bus carries each stream's
 * messages in seq order whichever gateway accepted them; then the message
 * goes to Kafka, and the sender's ack waits for Kafka's. If Kafka refuses
 * it, the message, already shown, is retracted (reason `unstored`) and the
 * sender told `unavailable`: nothing acknowledged is ever missing from the log.
 */
export class ClusterPublisher implements MessagePublisher {
  readonly #window: RecentWindow;
  readonly #kafka: DurableLog;
  readonly #bus: Bus;
  readonly #onError: (err: unknown) => void;

  constructor(window: RecentWindow, kafka: DurableLog, bus: Bus, onError: (err: unknown) => void) {
    this.#window = window;
    this.#kafka = kafka;
    this.#bus = bus;
    this.#onError = onError;
  }

  async commit(draft: Draft, sampled: boolean): Promise<Message> {
    let seq = await this.#window.stamp(draft, !sampled, undefined);
    if (seq === null) {
      const newest = await this.#kafka.lastSeq(draft.stream);
      seq = await this.#window.stamp(draft, !sampled, newest === 0 ? 0 : newest + SEQ_FLOOR_MARGIN);
    }
    const message = stamped(draft, seq!);
    try {
      await this.#kafka.append([{ message, sampled }]);
    } catch (err) {
      if (!sampled) this.#unshow(message);
      throw err;
    }
    return message;
  }

  #unshow(message: Message): void {
    const reason: RetractReason = 'unstored';
    this.#window.remove(message.stream, [message.id]).catch(this.#onError);
    this.#bus.publish(message.stream, { kind: 'retract', ids: [message.id], reason }).catch(this.#onError);
  }
}
