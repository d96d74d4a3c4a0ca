import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { Emote, Message, StateChange, User } from '../protocol/types.ts';

/** A held line as moderators see it (the v1 `held` frame). */
export interface HeldView {
  id: string;
  user: User;
  text: string;
  emotes?: Emote[];
  reason: string;
  heldAt: number;
  expiresAt: number;
}

export type ReviewOutcome = 'approved' | 'denied' | 'expired';

/**
 * What travels on the live bus for one stream. Messages are published only
 * when displayable (sampled-out ones are stored, never broadcast).
 */
export type BusEvent =
  | { kind: 'msg'; message: Message }
  | { kind: 'retract'; ids: string[]; reason: string }
  | { kind: 'clear'; user: string; reason: 'ban' | 'timeout'; seconds?: number }
  | { kind: 'state'; state: StateChange }
  /** A line held for review: for the stream's moderators only. */
  | { kind: 'held'; held: HeldView }
  /** What became of a held line: for the stream's moderators and its author (`user`). */
  | { kind: 'reviewed'; id: string; user: string; text: string; outcome: ReviewOutcome; seq?: number }
  /** A moderator action, as the audit log recorded it: for the stream's moderators only. */
  | { kind: 'modlog'; entry: ModlogEntry };

export type BusHandler = (stream: string, event: BusEvent) => void;

/**
 * Per-stream publish/subscribe. A process subscribes to a stream only while it
 * has viewers of it; every subscriber of a stream receives its events once and
 * in publish order.
 */
export interface Bus {
  publish(stream: string, event: BusEvent): Promise<void>;
  /** Resolves once events published afterwards are guaranteed to reach `handler`. */
  subscribe(stream: string, handler: BusHandler): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;
