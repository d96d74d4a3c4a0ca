import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import type { OutboundBatch } from '../../fanout/outbound-frame.ts';
import type { JoinResult } from '../../fanout/stream-hub.ts';
import { profileOf, rolesIn, type Identity } from '../../auth/identity.ts';
import { ChatError } from '../../protocol/errors.ts';
import { parseClientFrame, type ClientFrame, type Nonce, type SendOptions } from '../../protocol/client-frames.ts';
import { scanNonce } from '../../protocol/nonce.ts';
import {
  ackFrame, errorFrame, joinedFrame, leftFrame, modAckFrame, pongFrame, reconnectFrame, welcomeFrame, type Limits,
} from '../../protocol/server-frames.ts';
import { v1Json } from '../../protocol/v1-shared-frames.ts';
import type { Codec, Decoded } from '../../session/codec.ts';
import type { Session } from '../../session/session.ts';
import type { Transport } from '../../session/transport.ts';
import { wsBatchBytes, wsDeflatedBatchBytes } from './ws-encoding.ts';

export interface V1CodecDeps {
  moderation: Pick<ModeratorActions, 'apply'>;
  limits: Limits;
}

/** A v1 answer's ref: the nonce of the frame it answers. */
type Ref = Nonce | undefined;
type V1Session = Session<ClientFrame, Ref>;

/**
 * The v1 protocol's words (docs/protocol.md): JSON frames validated by the
 * shared schemas, answered by nonce. Stateless, so one serves every v1
 * session of a gateway.
 */
export class V1Codec implements Codec<ClientFrame, Ref> {
  readonly #d: V1CodecDeps;

  constructor(deps: V1CodecDeps) {
    this.#d = deps;
  }

  opened(): string {
    return welcomeFrame(null, null, this.#d.limits);
  }

  decode(data: string, binary: boolean): Decoded<ClientFrame, Ref> {
    if (binary) return { ok: false, ref: scanNonce(data), refusal: new ChatError('invalid', 'frames must be text (JSON)') };
    const parsed = parseClientFrame(data);
    return parsed.ok ? parsed : { ok: false, ref: parsed.nonce, refusal: new ChatError('invalid', parsed.message) };
  }

  refOfUnread(data: string): Ref {
    return scanNonce(data);
  }

  handle(frame: ClientFrame, session: V1Session): Promise<void> | undefined {
    switch (frame.type) {
      case 'ping':
        session.write(pongFrame(frame.nonce));
        return;
      case 'auth':
        return this.#auth(frame.token, frame.nonce, session);
      case 'join': {
        const { stream, history, since, nonce } = frame;
        // Joining a stream already joined starts it over: a new history, a new cursor.
        session.leave(stream);
        const { historyDefault, historyMax } = this.#d.limits;
        void session.join(stream, { history: Math.min(history ?? historyDefault, historyMax), since, roles: true }, nonce);
        return;
      }
      case 'leave':
        if (!session.leave(frame.stream)) session.refuse(frame.nonce, new ChatError('not_joined', `not watching ${frame.stream}`));
        return;
      case 'send':
        void this.#send(frame.stream, frame.text, frame.nonce, session, { parent: frame.parent, announce: frame.announce });
        return;
      case 'acknowledge':
        void session.acknowledge(frame.stream, frame.nonce).then((done) => {
          if (done) session.write(modAckFrame(frame.nonce));
        });
        return;
      case 'mod': {
        const { type: _type, stream, nonce, ...action } = frame;
        this.#d.moderation.apply(session.identity, stream, action).then(
          () => session.write(modAckFrame(nonce)),
          (err: unknown) => session.refuse(nonce, err),
        );
        return;
      }
    }
  }

  async #auth(token: string, nonce: Ref, session: V1Session): Promise<void> {
    if (!(await session.authenticate(token, nonce))) return;
    const identity = session.identity!;
    session.write(welcomeFrame(profileOf(identity), identity.roles, this.#d.limits, session.tokenExpiresInMs));
  }

  async #send(stream: string, text: string, nonce: Ref, session: V1Session, options: SendOptions): Promise<void> {
    const accepted = await session.send(stream, text, nonce, true, options);
    if (accepted !== undefined) session.write(ackFrame(nonce, accepted.id, accepted.seq, accepted.ts, accepted.sampled));
  }

  refusal(err: ChatError, nonce: Ref): string {
    return errorFrame(nonce, err.code, err.message, err.retryAfterMs);
  }

  joined(stream: string, result: JoinResult, me: Identity | null): string {
    return joinedFrame(stream, result.seq, result.history, result.state, result.truncated, me === null ? undefined : rolesIn(me, stream));
  }

  left(stream: string, asked: boolean): string {
    return asked ? leftFrame(stream) : '';
  }

  reconnect(afterMs: number): string {
    return reconnectFrame(afterMs);
  }

  /** The close code says it all. */
  farewell(): string {
    return '';
  }

  /**
   * One write of bytes framed once for every v1 socket (compressed once for
   * every socket that negotiated it); frame by frame through ws's own queue,
   * uncompressed, when it is busy.
   */
  deliver(batch: OutboundBatch, transport: Transport): void {
    if (transport.writeShared(batch.formIn(transport.deflated ? wsDeflatedBatchBytes : wsBatchBytes))) return;
    for (const frame of batch.frames) transport.write(frame.formIn(v1Json));
  }
}
