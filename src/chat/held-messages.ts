import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, HeldView, ReviewOutcome } from '../bus/bus.ts';
import type { Emote, ReplyParent, User } from '../protocol/types.ts';

export interface HeldMessage {
  id: string;
  stream: string;
  user: User;
  text: string;
  emotes: Emote[] | undefined;
  /** A held reply keeps the quote of its parent for when it is approved. */
  reply?: ReplyParent | undefined;
  reason: string;
  heldAt: number;
  /** The author's first line in the stream (kept for when it is approved). */
  first: boolean;
  returning: boolean;
}

export interface HeldMessagesOptions {
  /** heldMessageTtlMs: a held line expires this long after it was held. */
  ttlMs: number;
  /** Moderators see held lines and their outcomes live, and the author learns the outcome, through the stream's bus. */
  bus: Bus;
  logger: Logger;
  now: () => number;
}

const PER_STREAM = 100;
const MAX_STREAMS = 10_000;
// Expired lines are looked for this often (at most), so their authors learn it within about that long.
const EXPIRY_CHECK_MS = 5_000;

/**
 * Messages held for a moderator's decision (automod's held terms, a held
 * first-time chatter). Bounded: a stream keeps its newest 100 for ttlMs, and
 * at most 10,000 streams have any. The queue lives in the process that held
 * the line (a moderator approves or denies it through that gateway); each
 * change is announced on the stream's bus, so moderators on every gateway
 * see the queue live and the author learns the outcome. A held message is
 * lost if the process restarts, which only means the line never appears.
 */
export class HeldMessages {
  readonly #o: HeldMessagesOptions;
  readonly #byStream = new Map<string, HeldMessage[]>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: HeldMessagesOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.#expire(), Math.min(EXPIRY_CHECK_MS, options.ttlMs));
    this.#timer.unref();
  }

  hold(entry: Omit<HeldMessage, 'id'>): HeldMessage {
    const held: HeldMessage = { id: randomUUID(), ...entry };
    let list = this.#byStream.get(entry.stream);
    if (list === undefined) {
      if (this.#byStream.size >= MAX_STREAMS) this.#byStream.delete(this.#byStream.keys().next().value!);
      this.#byStream.set(entry.stream, (list = []));
    }
    list.push(held);
    if (list.length > PER_STREAM) this.settle(list.shift()!, 'expired');
    this.#announce(held.stream, { kind: 'held', held: this.view(held) });
    return held;
  }

  /** What moderators are shown of a held line (v1 `held` frame, GET .../held). */
  view(held: HeldMessage): HeldView {
    const view: HeldView = { id: held.id, user: held.user, text: held.text, reason: held.reason, heldAt: held.heldAt, expiresAt: held.heldAt + this.#o.ttlMs };
    if (held.emotes !== undefined && held.emotes.length > 0) view.emotes = held.emotes;
    return view;
  }

  list(stream: string, now: number): HeldMessage[] {
    const list = this.#byStream.get(stream);
    if (list === undefined) return [];
    return list.filter((h) => now - h.heldAt < this.#o.ttlMs);
  }

  /** Removes and returns one held message, if it is still there (settle() then announces what became of it). */
  take(stream: string, id: string, now: number): HeldMessage | undefined {
    const list = this.#byStream.get(stream);
    const index = list?.findIndex((h) => h.id === id && now - h.heldAt < this.#o.ttlMs) ?? -1;
    if (index === -1) return undefined;
    const [held] = list!.splice(index, 1);
    if (list!.length === 0) this.#byStream.delete(stream);
    return held;
  }

  /** Tells the stream's moderators and the author what became of a held line; `seq` is the approved line's. */
  settle(held: HeldMessage, outcome: ReviewOutcome, seq?: number): void {
    this.#announce(held.stream, { kind: 'reviewed', id: held.id, user: held.user.id, text: held.text, outcome, ...(seq !== undefined ? { seq } : {}) });
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #expire(): void {
    const now = this.#o.now();
    for (const [stream, list] of this.#byStream) {
      while (list.length > 0 && now - list[0]!.heldAt >= this.#o.ttlMs) this.settle(list.shift()!, 'expired');
      if (list.length === 0) this.#byStream.delete(stream);
    }
  }

  /** An announcement that cannot be published is logged: the queue itself is unchanged, and GET .../held still shows it. */
  #announce(stream: string, event: Parameters<Bus['publish']>[1]): void {
    this.#o.bus.publish(stream, event).catch((err: unknown) => this.#o.logger.warn({ err, stream }, 'held-message announcement not published'));
  }
}
