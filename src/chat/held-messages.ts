import { randomUUID } from 'node:crypto';
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
}

const PER_STREAM = 100;
const MAX_STREAMS = 10_000;
const TTL_MS = 30 * 60_000;

/**
 * Messages automod held for a moderator's decision. Bounded: a stream keeps
 * its newest 100 for 30 minutes, and at most 10,000 streams have any. The
 * queue lives in this process; a held message is lost if it restarts, which
 * only means the sender's line never appears (they were told `held`).
 */
export class HeldMessages {
  readonly #byStream = new Map<string, HeldMessage[]>();

  hold(entry: Omit<HeldMessage, 'id'>): HeldMessage {
    const held: HeldMessage = { id: randomUUID(), ...entry };
    let list = this.#byStream.get(entry.stream);
    if (list === undefined) {
      if (this.#byStream.size >= MAX_STREAMS) this.#byStream.delete(this.#byStream.keys().next().value!);
      this.#byStream.set(entry.stream, (list = []));
    }
    list.push(held);
    if (list.length > PER_STREAM) list.shift();
    return held;
  }

  list(stream: string, now: number): HeldMessage[] {
    return [...this.#fresh(stream, now)];
  }

  /** Removes and returns one held message, if it is still there: a second approve or deny finds nothing. */
  take(stream: string, id: string, now: number): HeldMessage | undefined {
    const list = this.#fresh(stream, now);
    const index = list.findIndex((h) => h.id === id);
    if (index === -1) return undefined;
    const [held] = list.splice(index, 1);
    if (list.length === 0) this.#byStream.delete(stream);
    return held;
  }

  /** The stream's stored list with the expired ones dropped: the array itself, so `take` removes from it. */
  #fresh(stream: string, now: number): HeldMessage[] {
    const list = this.#byStream.get(stream);
    if (list === undefined) return [];
    const fresh = list.filter((h) => now - h.heldAt < TTL_MS);
    if (fresh.length === 0) this.#byStream.delete(stream);
    else if (fresh.length !== list.length) this.#byStream.set(stream, fresh);
    return fresh.length === list.length ? list : fresh;
  }
}
