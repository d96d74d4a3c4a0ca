import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, HeldView, ReviewOutcome } from '../bus/bus.ts';
import type { HeldMessage, HeldStore, TakenFor } from '../held/held-store.ts';
import { heldView, reviewedEvent } from '../held/held-view.ts';

export interface HeldMessagesOptions {
  /** heldMessageTtlMs: a held line expires this long after it was held. */
  ttlMs: number;
  /** Where the lines wait: this process's memory, or the region's Redis. */
  store: HeldStore;
  /** Moderators see held lines and their outcomes live, and the author learns the outcome, through the stream's bus. */
  bus: Bus;
  logger: Logger;
  now: () => number;
}

// Expired lines are looked for this often (at most), so their authors learn it within about that long.
const EXPIRY_CHECK_MS = 5_000;

/**
 * Messages held for a moderator's decision (automod's held terms, a held
 * first-time chatter), in the held store (src/held/: bounded, a stream keeps
 * its newest 100 for ttlMs). Each change is announced on the stream's bus,
 * so moderators on every gateway see the queue live and the author learns
 * the outcome; in cluster mode the queue is the region's, so a moderator on
 * any gateway approves or denies.
 */
export class HeldMessages {
  readonly #o: HeldMessagesOptions;
  readonly #timer: NodeJS.Timeout;

  constructor(options: HeldMessagesOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.#expire(), Math.min(EXPIRY_CHECK_MS, options.ttlMs));
    this.#timer.unref();
  }

  /** Keeps the line for review; what it pushed out of the stream's bound expires. */
  async hold(entry: Omit<HeldMessage, 'id'>): Promise<HeldMessage> {
    const held: HeldMessage = { id: randomUUID(), ...entry };
    const pushedOut = await this.#o.store.add(held);
    for (const old of pushedOut) this.settle(old, 'expired');
    this.#announce(held.stream, { kind: 'held', held: this.view(held) });
    return held;
  }

  /** What moderators are shown of a held line (v1 `held` frame, GET .../held). */
  view(held: HeldMessage): HeldView {
    return heldView(held, this.#o.ttlMs);
  }

  list(stream: string, now: number): Promise<HeldMessage[]> {
    return this.#o.store.list(stream, now);
  }

  /** Removes and returns one held message for `outcome`, if it is still there (settle() then announces what became of it). */
  take(stream: string, id: string, now: number, outcome: TakenFor): Promise<HeldMessage | undefined> {
    return this.#o.store.take(stream, id, now, outcome);
  }

  /** Tells the stream's moderators and the author what became of a held line; `seq` is the approved line's. */
  settle(held: HeldMessage, outcome: ReviewOutcome, seq?: number): void {
    this.#announce(held.stream, reviewedEvent(held, outcome, seq));
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #expire(): void {
    this.#o.store.expire(this.#o.now()).then(
      (gone) => {
        for (const held of gone) this.settle(held, 'expired');
      },
      (err: unknown) => this.#o.logger.warn({ err }, 'held messages: the expiry could not read the store'),
    );
  }

  /** An announcement that cannot be published is logged: the queue itself is unchanged, and GET .../held still shows it. */
  #announce(stream: string, event: Parameters<Bus['publish']>[1]): void {
    this.#o.bus.publish(stream, event).catch((err: unknown) => this.#o.logger.warn({ err, stream }, 'held-message announcement not published'));
  }
}
