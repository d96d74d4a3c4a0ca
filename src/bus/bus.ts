import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { Emote, Message, StateChange, User, UserRef } from '../protocol/types.ts';

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
  /** `by`: the moderator who deleted the lines (absent for automod, the classifier, an unstored line). */
  | { kind: 'retract'; ids: string[]; reason: string; by?: UserRef }
  | { kind: 'clear'; user: string; reason: 'ban' | 'timeout'; seconds?: number }
  /** A moderator's /clear: every line on every screen goes (history is kept). */
  | { kind: 'clearAll' }
  /** A restricted user's line (seq 0, never stored): for the stream's moderators and its author only. */
  | { kind: 'restricted'; message: Message }
  /** A moderator warned `user`: told to them at once, wherever they are connected. */
  | { kind: 'warned'; user: string; reason: string }
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
