// The v1 frames the browser receives (PROTOCOL.md), typed from the server's own wire objects.
import type { ErrorCode, Message, Modes, Pin, Role, StreamState, User, UserRef } from '../../../src/protocol/types.ts';
import { ANNOUNCEMENT_COLORS } from '../../../src/protocol/types.ts';
import type { ModlogEntry } from '../../../src/protocol/modlog-entry.ts';

export type { ErrorCode, Message, Modes, ModlogEntry, Pin, Role, StreamState, User, UserRef };
export { ANNOUNCEMENT_COLORS };
export { DEFAULT_MODES } from '../../../src/protocol/types.ts';
export type Roles = Record<string, Role[]>;

export type ServerFrame =
  | { type: 'welcome'; user: User | null; roles: Roles | null; limits: { maxTextLength: number; historyDefault: number }; expiresInMs?: number }
  | { type: 'joined'; stream: string; seq: number; history: Message[]; state: StreamState; truncated?: boolean; roles?: Role[] }
  | ({ type: 'msg' } & Message)
  | { type: 'batch'; stream: string; msgs: Message[] }
  | ({ type: 'notice' } & Message)
  | { type: 'retract'; stream: string; ids: string[]; reason: string; by?: UserRef }
  | { type: 'clear'; stream: string; user: string; reason: 'ban' | 'timeout'; seconds?: number }
  /** A moderator's /clear: every line. */
  | { type: 'clear'; stream: string; user?: undefined; reason: 'clear' }
  /** A restricted user's line, to moderators and its author only (seq 0). */
  | ({ type: 'restricted' } & Message)
  /** To the warned user only: a moderator's warning. */
  | { type: 'warning'; stream: string; reason: string }
  | ({ type: 'state'; stream: string } & StreamState)
  | { type: 'ack'; nonce?: string; id?: string; seq?: number; ts?: number; sampled?: boolean }
  | { type: 'error'; nonce?: string; code: ErrorCode; message: string; retryAfterMs?: number }
  | { type: 'pong'; nonce?: string }
  | { type: 'reconnect'; afterMs: number }
  | { type: 'left'; stream: string }
  | ({ type: 'held'; stream: string } & HeldView)
  | { type: 'reviewed'; stream: string; id: string; user: string; text: string; outcome: 'approved' | 'denied' | 'expired'; seq?: number }
  | ({ type: 'modlog' } & ModlogEntry);

/** A line held for review, as moderators see it. */
export interface HeldView {
  id: string;
  user: User;
  text: string;
  emotes?: Message['emotes'];
  reason: string;
  heldAt: number;
  expiresAt: number;
}

export type Answer = Extract<ServerFrame, { type: 'ack' }> | Extract<ServerFrame, { type: 'error' }>;

export const MODERATOR_ROLES: readonly Role[] = ['broadcaster', 'moderator'];
