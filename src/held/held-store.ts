import type { Emote, ReplyParent, User } from '../protocol/types.ts';

/** A line held for a moderator's decision (automod's held terms, a held first-time chatter). */
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

/** What a moderator takes a held line out for. */
export type TakenFor = 'approved' | 'denied';

/** Held lines a stream keeps (docs/protocol.md, "Held messages"). */
export const HELD_PER_STREAM = 100;

export interface HeldStoreBounds {
  /** heldMessageTtlMs: a held line is gone this long after it was held. */
  ttlMs: number;
  /** Held lines a stream keeps at most; one more pushes its oldest out. */
  perStream: number;
}

/**
 * Where held lines wait (DESIGN.md's seams): in process memory embedded, in
 * Redis in cluster mode, so a moderator on any gateway of the region sees,
 * approves or denies a line whichever gateway held it. Each line leaves
 * once: `take` and `expire` hand it to exactly one caller.
 */
export interface HeldStore {
  /** Keeps a held line; returns what it pushed out of the stream's bound (oldest first). */
  add(held: HeldMessage): Promise<HeldMessage[]>;
  /** The stream's held lines younger than the ttl, oldest first. */
  list(stream: string, now: number): Promise<HeldMessage[]>;
  /** Removes and returns one line if it is still held and younger than the ttl, for `outcome` (a region's store tells its peers). */
  take(stream: string, id: string, now: number, outcome: TakenFor): Promise<HeldMessage | undefined>;
  /** Removes and returns every line whose ttl has passed. */
  expire(now: number): Promise<HeldMessage[]>;
  close(): Promise<void>;
}
