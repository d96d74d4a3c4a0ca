import type { Identity } from '../auth/identity.ts';
import type { ChatError } from '../protocol/errors.ts';
import type { OutboundBatch } from '../fanout/outbound-frame.ts';
import type { JoinResult } from '../fanout/stream-hub.ts';
import type { Session } from './session.ts';
import type { CloseReason, Transport } from './transport.ts';

/** An inbound frame read, or refused with what the codec could read of it. */
export type Decoded<Frame, Ref> = { ok: true; frame: Frame } | { ok: false; ref: Ref; refusal: ChatError };

/**
 * One protocol's words (v1 JSON frames, IRC lines, SSE events): it reads a
 * client's frames and asks the session to act on them, and says in its own
 * words what the session decided. `Ref` is whatever ties an answer to its
 * request (a v1 nonce, an IRC channel and command): the session carries it
 * without looking inside. A codec holds no rule that another protocol has
 * too; those are the session's.
 */
export interface Codec<Frame, Ref> {
  /** The session is open: its first words ('' for none). */
  opened(session: Session<Frame, Ref>): string;
  decode(data: string, binary: boolean): Decoded<Frame, Ref>;
  /** What can be read of a frame refused unread (over the frame rate), so its sender still gets its answer. */
  refOfUnread(data: string): Ref;
  /** Acts on one frame. Only a sign-in returns a promise: the frames after it wait for it. */
  handle(frame: Frame, session: Session<Frame, Ref>): Promise<void> | undefined;
  /** The one mapping from a refusal to what this protocol says for the request `ref`. */
  refusal(err: ChatError, ref: Ref): string;
  /** The answer to a join, written in the same turn as the viewer is attached; `me` is looked up only when the join asked for it. */
  joined(stream: string, result: JoinResult, me: Identity | null, ref: Ref): string;
  /** A stream left: `asked` when the client asked, false when the session closes. */
  left(stream: string, asked: boolean): string;
  /** The server shuts down: reconnect after `afterMs`. */
  reconnect(afterMs: number): string;
  /** Last words before a close for `reason` ('' for none; never asked for 'slow'). */
  farewell(reason: CloseReason): string;
  /** Writes a fan-out flush: the shared bytes, once built, for every session of this codec. */
  deliver(batch: OutboundBatch, transport: Transport, session: Session<Frame, Ref>): void;
}
