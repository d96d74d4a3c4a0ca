import type { Bus } from '../bus/bus.ts';
import type { DurableLog, LoggedMessage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import type { StateStore } from '../state/state.ts';
import { stamped, type Draft, type MessagePublisher } from './broker.ts';

interface Pending {
  entry: LoggedMessage;
  settled: boolean;
  stored: boolean;
}

/**
 * The embedded publisher: stamps from the in-process seq counter, appends to
 * the log and publishes each message only after it is durable, in seq order
 * per stream. Publishing after the append is what makes the history-to-live
 * handover gap-free: whatever a joining viewer does not find in the log
 * reaches it live.
 */
export class OrderedPublisher implements MessagePublisher {
  readonly #state: StateStore;
  readonly #log: DurableLog;
  readonly #bus: Bus;
  readonly #onPublishError: (err: unknown) => void;
  readonly #queues = new Map<string, Pending[]>();

  constructor(state: StateStore, log: DurableLog, bus: Bus, onPublishError: (err: unknown) => void) {
    this.#state = state;
    this.#log = log;
    this.#bus = bus;
    this.#onPublishError = onPublishError;
  }

  async commit(draft: Draft, sampled: boolean): Promise<Message> {
    const stream = draft.stream;
    // Seqs are taken in call order and the queue below is in the same order,
    // so publishing from its head keeps seq order.
    const entry: LoggedMessage = { message: stamped(draft, await this.#state.nextSeq(stream)), sampled };
    let queue = this.#queues.get(stream);
    if (queue === undefined) this.#queues.set(stream, (queue = []));
    const pending: Pending = { entry, settled: false, stored: false };
    queue.push(pending);
    try {
      await this.#log.append([entry]);
      pending.stored = true;
    } finally {
      // A failed append settles too (its seq becomes a gap that nobody sees), so it never blocks later messages.
      pending.settled = true;
      this.#drain(stream, queue);
    }
    return entry.message;
  }

  #drain(stream: string, queue: Pending[]): void {
    let done = 0;
    while (done < queue.length && queue[done]!.settled) {
      const { entry, stored } = queue[done]!;
      done++;
      if (stored && !entry.sampled) this.#bus.publish(stream, { kind: 'msg', message: entry.message }).catch(this.#onPublishError);
    }
    queue.splice(0, done);
    if (queue.length === 0) this.#queues.delete(stream);
  }
}
