import type { Nonce } from './client-frames.ts';
import type { ErrorCode, Message, StreamState, User, UserRef } from './types.ts';
import type { Role } from './types.ts';

// Encoders of the server-to-client frames of PROTOCOL.md. Frames that go to
// many sockets (msg, batch, retract, clear, state) are encoded once per flush
// (v1-shared-frames.ts); these are the per-connection ones and the shared helpers.

export interface Limits {
  maxFrameBytes: number;
  maxTextLength: number;
  historyDefault: number;
  historyMax: number;
  maxStreamsPerConnection: number;
  rateLimit: { messages: number; privilegedMessages: number; windowMs: number };
}

/** `expiresInMs` (added): how long the connection's token has left; absent without a token or `exp`. */
export function welcomeFrame(user: User | null, roles: Readonly<Record<string, readonly Role[]>> | null, limits: Limits, expiresInMs?: number): string {
  return JSON.stringify({ type: 'welcome', user, roles, limits, expiresInMs });
}

/** `roles`: a signed-in viewer's roles in the stream, the token's and those granted on the server (extension). */
export function joinedFrame(stream: string, seq: number, history: readonly Message[], state: StreamState, truncated: boolean, roles?: readonly Role[]): string {
  return JSON.stringify({ type: 'joined', stream, seq, history, state, ...(truncated ? { truncated } : {}), ...(roles !== undefined ? { roles } : {}) });
}

export function ackFrame(nonce: Nonce | undefined, id: string, seq: number, ts: number, sampled: boolean): string {
  return JSON.stringify({ type: 'ack', nonce, id, seq, ts, sampled });
}

export function modAckFrame(nonce: Nonce | undefined): string {
  return JSON.stringify({ type: 'ack', nonce });
}

export function errorFrame(nonce: Nonce | undefined, code: ErrorCode, message: string, retryAfterMs?: number): string {
  return JSON.stringify({ type: 'error', nonce, code, message, retryAfterMs });
}

export function pongFrame(nonce: Nonce | undefined): string {
  return JSON.stringify({ type: 'pong', nonce });
}

export function reconnectFrame(afterMs: number): string {
  return JSON.stringify({ type: 'reconnect', afterMs });
}

export function leftFrame(stream: string): string {
  return JSON.stringify({ type: 'left', stream });
}

/** `msg` for one message, `batch` for several: the same bytes go to every viewer. */
export function liveFrame(stream: string, messageJson: readonly string[]): string {
  if (messageJson.length === 1) return '{"type":"msg",' + messageJson[0]!.slice(1);
  return '{"type":"batch","stream":' + JSON.stringify(stream) + ',"msgs":[' + messageJson.join(',') + ']}';
}

/** A system notice from the host site (extension): a message with `notice`, in a frame of its own. */
export function noticeFrame(messageJson: string): string {
  return '{"type":"notice",' + messageJson.slice(1);
}

/** `by` (added): the moderator who deleted the lines; absent for automod, the classifier and unstored lines. */
export function retractFrame(stream: string, ids: readonly string[], reason: string, by?: UserRef): string {
  return JSON.stringify({ type: 'retract', stream, ids, reason, by });
}

export function clearFrame(stream: string, user: string, reason: 'ban' | 'timeout', seconds?: number): string {
  return JSON.stringify({ type: 'clear', stream, user, reason, seconds });
}

/** Added: a moderator's /clear, every line of the stream (no `user`, reason `clear`). */
export function clearAllFrame(stream: string): string {
  return JSON.stringify({ type: 'clear', stream, reason: 'clear' });
}

/** Added, to the warned user only: a moderator's warning, to acknowledge before chatting again. */
export function warningFrame(stream: string, reason: string): string {
  return JSON.stringify({ type: 'warning', stream, reason });
}

/** Added, to moderators and the author only: a restricted user's line (seq 0: never stored, outside the stream's order). */
export function restrictedFrame(messageJson: string): string {
  return '{"type":"restricted",' + messageJson.slice(1);
}

/** Added, to moderators only: a line held for review (approve or deny it with a `mod` action). */
export function heldFrame(stream: string, held: object): string {
  return JSON.stringify({ type: 'held', stream, ...held });
}

/** Added, to moderators and the line's author: what became of a held line; `seq` is the approved line's. */
export function reviewedFrame(stream: string, id: string, user: string, text: string, outcome: string, seq?: number): string {
  return JSON.stringify({ type: 'reviewed', stream, id, user, text, outcome, seq });
}

/** Added, to moderators only: one entry of the stream's audit log, as GET .../modlog lists it (the entry names its stream). */
export function modlogFrame(entry: object): string {
  return JSON.stringify({ type: 'modlog', ...entry });
}

export function stateFrame(stream: string, state: StreamState): string {
  return JSON.stringify({ type: 'state', stream, ...state });
}
