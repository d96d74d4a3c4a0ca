import type { Bus } from '../bus/bus.ts';
import type { DurableLog, HistoryPage, LoggedMessage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import { stamped, type Broker, type Draft } from './broker.ts';
import { SeqCounters } from './seq-counters.ts';

export interface EmbeddedBrokerOptions {
  /** A stream's seq counter is dropped after this long unused and reloaded from the log; default one hour. */
  seqIdleMs?: number;
  /** A publish on the bus failed (the message is stored: history and resumes still have it). */
  onPublishError: (err: unknown) => void;
}

interface Pending {
  entry: LoggedMessage;
  settled: boolean;
  stored: boolean;
}

/**
 * The embedded broker: stamps from its in-process seq counters (started
 * from the log's lastSeq, so seq continues across restarts), appends to the
 * log and publishes each message only after it is durable, in seq order per
 * stream. Publishing after the append is what makes the history-to-live
 * handover gap-free: whatever a joining viewer does not find in the log
 * reaches it live.
 */
export class EmbeddedBroker implements Broker {
  readonly #log: DurableLog;
  readonly #bus: Bus;
  readonly #seqs: SeqCounters;
  readonly #onPublishError: (err: unknown) => void;
  readonly #queues = new Map<string, Pending[]>();

  constructor(log: DurableLog, bus: Bus, options: EmbeddedBrokerOptions) {
    this.#log = log;
    this.#bus = bus;
    this.#seqs = new SeqCounters({ loadLastSeq: (stream) => log.lastSeq(stream), idleMs: options.seqIdleMs ?? 3_600_000 });
    this.#onPublishError = options.onPublishError;
  }

  async publish(draft: Draft, sampled: boolean): Promise<Message> {
    const stream = draft.stream;
    // Seqs are taken in call order and the queue below is in the same order,
    // so publishing from its head keeps seq order.
    const entry: LoggedMessage = { message: stamped(draft, await this.#seqs.next(stream)), sampled };
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

  latest(stream: string, limit: number): Promise<HistoryPage> {
    return this.#log.latest(stream, limit);
  }

  since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    return this.#log.since(stream, afterSeq, limit);
  }

  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    return this.#log.range(stream, fromMs, toMs, limit, includeSampled);
  }

  /** The log's newest: a message stamped but not stored yet is published only after it is stored, so after this read. */
  lastSeq(stream: string): Promise<number> {
    return this.#log.lastSeq(stream);
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
