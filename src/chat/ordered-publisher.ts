import type { Bus } from '../bus/bus.ts';
import type { DurableLog, LoggedMessage } from '../log/log.ts';

interface Pending {
  entry: LoggedMessage;
  settled: boolean;
  stored: boolean;
}

/**
 * Appends stamped messages to the log and publishes each one only after it is
 * durable, in seq order per stream. Publishing after the append is what makes
 * the history-to-live handover gap-free: whatever a joining viewer does not
 * find in the log reaches it live.
 */
export class OrderedPublisher {
  readonly #log: DurableLog;
  readonly #bus: Bus;
  readonly #onPublishError: (err: unknown) => void;
  readonly #queues = new Map<string, Pending[]>();

  constructor(log: DurableLog, bus: Bus, onPublishError: (err: unknown) => void) {
    this.#log = log;
    this.#bus = bus;
    this.#onPublishError = onPublishError;
  }

  /** Resolves once the message is durable; rejects if the log could not store it. */
  async commit(entry: LoggedMessage): Promise<void> {
    const stream = entry.message.stream;
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
