import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth/tokens.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import type { GrantedRoles } from '../../chat/granted-roles.ts';
import type { TokenRoles } from '../../chat/token-roles.ts';
import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { Identity } from '../../auth/identity.ts';
import { ChatError } from '../../protocol/errors.ts';
import { asRefusal } from '../../chat/backend-error.ts';
import { parseClientFrame, type ClientFrame, type Nonce, type SendOptions } from '../../protocol/client-frames.ts';
import { scanNonce } from '../../protocol/nonce.ts';
import {
  ackFrame, errorFrame, joinedFrame, leftFrame, modAckFrame, pongFrame, welcomeFrame, type Limits,
} from '../../protocol/server-frames.ts';
import type { ErrorCode } from '../../protocol/types.ts';
import type { OutboundBatch, Viewer } from '../../fanout/outbound-frame.ts';
import type { StreamHub } from '../../fanout/stream-hub.ts';
import { TokenBucket } from '../../limits/token-bucket.ts';
import { SlowConsumerCheck } from '../../session/slow-consumer.ts';
import { writePreframed } from '../../net/ws-write.ts';
import { v1Json } from '../../protocol/v1-shared-frames.ts';
import { wsBatchBytes } from './ws-encoding.ts';
import { TokenExpiry, expiresAtOf, msUntil } from '../../session/token-expiry.ts';
import type { ConnectionSlot } from '../../limits/connection-budget.ts';
import { IdleDeadline } from '../../session/idle-deadline.ts';
import { profileOf, rolesIn } from '../../auth/identity.ts';

export interface ConnectionDeps {
  auth: Authenticator;
  chat: ChatService;
  moderation: ModeratorActions;
  /** `joined` tells a signed-in viewer its roles in the stream, granted ones included. */
  grants: GrantedRoles;
  /** A broadcaster's or moderator's join is recorded, so other moderators cannot ban them before they chat. */
  tokenRoles: TokenRoles;
  hub: StreamHub;
  metrics: Metrics;
  logger: Logger;
  limits: Limits;
  resumeMax: number;
  abuseStrikes: number;
  abuseWindowMs: number;
  inboundFramesPerSecond: number;
  socketSoftLimitBytes: number;
  socketHardLimitBytes: number;
  slowConsumerGraceMs: number;
  anonymousIdleMs: number;
}

/** Close codes of docs/protocol.md. */
export const CLOSE = {
  goingAway: 1001,
  policy: 1008,
  tokenExpired: 4001,
  idle: 4002,
  slowConsumer: 4008,
} as const;

// Server faults are not the client's; everything else it is told repeatedly counts as abuse.
const NOT_A_STRIKE: ReadonlySet<ErrorCode> = new Set(['overloaded', 'unavailable', 'held']);
const CLOSE_GRACE_MS = 5_000;

let nextConnectionId = 0;

/**
 * One v1 WebSocket client: parses its frames, runs them through the chat
 * service, and receives the stream hub's shared frames. Nothing here awaits
 * per delivery; slow readers are measured on every write and cut off.
 */
export class Connection implements Viewer {
  readonly #ws: WebSocket;
  readonly #d: ConnectionDeps;
  readonly #id = `c${++nextConnectionId}`;
  #identity: Identity | null = null;
  /** Closes the connection when its token expires; made at the first `auth`, re-armed by each. */
  #expiry: TokenExpiry | undefined;
  /** While an `auth` is being verified, later frames queue behind it, in order. */
  #gate: Promise<void> | undefined;
  /** Streams joined or being joined; false while the join is in flight and cancelled if it turns false. */
  readonly #streams = new Map<string, boolean>();
  readonly #strikes: TokenBucket;
  readonly #inbound: TokenBucket;
  readonly #backlog: SlowConsumerCheck;
  #closing = false;
  /** Set on shutdown: the `afterMs` of the reconnect frame, which new sends are told to wait. */
  #drainingAfterMs: number | undefined;
  #alive = true;
  /** Its place in the connection budget: signing in counts it against the user too. */
  readonly #slot: ConnectionSlot;
  readonly #idle: IdleDeadline;

  constructor(ws: WebSocket, deps: ConnectionDeps, slot: ConnectionSlot) {
    this.#ws = ws;
    this.#d = deps;
    this.#slot = slot;
    this.#idle = new IdleDeadline(deps.anonymousIdleMs, () => this.#identity === null && this.#streams.size === 0, () => {
      deps.metrics.connectionsRefused.inc({ reason: 'idle' });
      this.close(CLOSE.idle, 'idle: not signed in and watching no stream');
    });
    this.#strikes = new TokenBucket(deps.abuseStrikes, deps.abuseWindowMs);
    this.#inbound = new TokenBucket(deps.inboundFramesPerSecond * 2, 2_000);
    this.#backlog = new SlowConsumerCheck(deps);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.#onClose());
    ws.on('error', (err) => deps.logger.debug({ err, connection: this.#id }, 'socket error'));
    this.send(welcomeFrame(null, null, deps.limits));
  }

  get viewerId(): string {
    return this.#identity?.id ?? this.#id;
  }

  get signedIn(): boolean {
    return this.#identity !== null;
  }

  /** Writes a flush shared by many viewers: the bytes were framed once, this is one write. */
  deliver(batch: OutboundBatch): void {
    if (this.#closing || this.#ws.readyState !== this.#ws.OPEN || !this.#checkBacklog()) return;
    if (writePreframed(this.#ws, batch.formIn(wsBatchBytes))) return;
    for (const frame of batch.frames) this.#ws.send(frame.formIn(v1Json));
  }

  /** A frame for this connection only (welcome, joined, ack, error, ...), under the same backlog limits. */
  send(json: string): void {
    if (this.#closing || this.#ws.readyState !== this.#ws.OPEN || !this.#checkBacklog()) return;
    this.#ws.send(json);
  }

  /** False once the viewer is too far behind: it is being closed with 4008. */
  #checkBacklog(): boolean {
    if (this.#backlog.ok(this.#ws.bufferedAmount)) return true;
    this.#d.metrics.slowConsumerDrops.inc();
    this.close(CLOSE.slowConsumer, 'slow consumer: not reading fast enough');
    return false;
  }

  /** Called by the gateway's heartbeat sweep, so a viewer that stopped reading is caught without new traffic. */
  sweep(): void {
    if (!this.#closing && this.#backlog.slow) this.#checkBacklog();
  }

  ping(): void {
    if (this.#closing) return;
    if (!this.#alive) {
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  drain(reconnectFrame: string, afterMs: number): void {
    this.send(reconnectFrame);
    this.#drainingAfterMs = afterMs;
  }

  /** Sends a close frame (queued behind the backlog) and cuts the socket if the peer never answers. */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#expiry?.clear();
    this.#leaveAll();
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  #onClose(): void {
    this.#closing = true;
    this.#expiry?.clear();
    this.#idle.stop();
    this.#leaveAll();
    this.#d.metrics.connections.dec({ transport: 'ws' });
  }

  #leaveAll(): void {
    for (const stream of this.#streams.keys()) this.#d.hub.leave(stream, this);
    this.#streams.clear();
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#closing) return;
    const text = data.toString();
    // Refused unparsed, yet answered with the frame's nonce: its sender waits for that answer.
    if (!this.#inbound.tryTake(performance.now())) {
      this.#refuse(scanNonce(text), new ChatError('rate_limited', 'too many frames; slow down', 1_000));
      return;
    }
    if (isBinary) {
      this.#refuse(scanNonce(text), new ChatError('invalid', 'frames must be text (JSON)'));
      return;
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.#refuse(parsed.nonce, new ChatError('invalid', parsed.message));
      return;
    }
    const frame = parsed.frame;
    if (this.#gate === undefined && frame.type !== 'auth') {
      void this.#handle(frame);
      return;
    }
    // Frames after an `auth` wait for it, so a send right after auth is not anonymous.
    const gate = (this.#gate ?? Promise.resolve()).then(() => this.#handle(frame));
    this.#gate = gate;
    void gate.finally(() => {
      if (this.#gate === gate) this.#gate = undefined;
    });
  }

  /** Dispatches one frame; only an `auth` is awaited (by the gate), everything else answers on its own. */
  #handle(frame: ClientFrame): Promise<void> | undefined {
    switch (frame.type) {
      case 'ping':
        this.send(pongFrame(frame.nonce));
        return;
      case 'auth':
        return this.#auth(frame.token, frame.nonce);
      case 'join':
        void this.#join(frame.stream, frame.history, frame.since, frame.nonce);
        return;
      case 'leave':
        this.#leave(frame.stream, frame.nonce);
        return;
      case 'send':
        void this.#send(frame.stream, frame.text, frame.nonce, { parent: frame.parent, announce: frame.announce });
        return;
      case 'mod': {
        const { type: _type, stream, nonce, ...action } = frame;
        this.#d.moderation.apply(this.#identity, stream, action).then(
          () => this.send(modAckFrame(nonce)),
          (err) => this.#refuse(nonce, err),
        );
        return;
      }
    }
  }

  async #auth(token: string, nonce: Nonce | undefined): Promise<void> {
    try {
      const identity = await this.#d.auth.verify(token);
      if (this.#closing) return;
      if (this.#identity !== null && this.#identity.id !== identity.id) {
        throw new ChatError('forbidden', 'this connection is already signed in as another user');
      }
      if (!this.#slot.claimUser(identity.id)) throw new ChatError('forbidden', 'this user has too many connections open');
      // A renewal (same user) replaces the identity and the expiry; a refused one changes neither.
      this.#identity = identity;
      const expiresAt = expiresAtOf(token);
      this.#expiry ??= new TokenExpiry(() => this.close(CLOSE.tokenExpired, 'token expired'));
      this.#expiry.arm(expiresAt);
      await this.#d.tokenRoles.noteAll(identity, this.#streams.keys());
      this.send(welcomeFrame(profileOf(identity), identity.roles, this.#d.limits, msUntil(expiresAt)));
    } catch (err) {
      this.#refuse(nonce, err);
    }
  }

  async #join(stream: string, history: number | undefined, since: number | undefined, nonce: Nonce | undefined): Promise<void> {
    if (this.#streams.has(stream)) this.#leave(stream, undefined);
    if (this.#streams.size >= this.#d.limits.maxStreamsPerConnection) {
      this.#refuse(nonce, new ChatError('invalid', `a connection may watch at most ${this.#d.limits.maxStreamsPerConnection} streams`));
      return;
    }
    this.#streams.set(stream, false);
    const request = {
      history: Math.min(history ?? this.#d.limits.historyDefault, this.#d.limits.historyMax),
      since,
      resumeMax: this.#d.resumeMax,
    };
    try {
      // Read before attaching: `joined` is sent in the same step as the viewer is attached.
      await this.#d.tokenRoles.note(this.#identity, stream);
      const me = await this.#d.grants.effective(this.#identity, stream);
      const roles = me === null ? undefined : rolesIn(me, stream);
      await this.#d.hub.join(stream, this, request, (result) => {
        if (this.#closing || this.#streams.get(stream) !== false) throw new JoinCancelled();
        this.#streams.set(stream, true);
        this.send(joinedFrame(stream, result.seq, result.history, result.state, result.truncated, roles));
      });
    } catch (err) {
      if (err instanceof JoinCancelled) return;
      this.#streams.delete(stream);
      if (this.#streams.size === 0) this.#idle.restart();
      this.#refuse(nonce, err);
    }
  }

  #leave(stream: string, nonce: Nonce | undefined): void {
    if (!this.#streams.has(stream)) {
      this.#refuse(nonce, new ChatError('not_joined', `not watching ${stream}`));
      return;
    }
    this.#streams.delete(stream);
    this.#d.hub.leave(stream, this);
    this.send(leftFrame(stream));
    if (this.#streams.size === 0) this.#idle.restart();
  }

  async #send(stream: string, text: string, nonce: Nonce | undefined, options: SendOptions): Promise<void> {
    if (this.#drainingAfterMs !== undefined) {
      this.#refuse(nonce, new ChatError('unavailable', 'this server is shutting down; reconnect', this.#drainingAfterMs));
      return;
    }
    if (!this.#streams.has(stream)) {
      this.#refuse(nonce, new ChatError('not_joined', `join ${stream} before sending to it`));
      return;
    }
    try {
      const accepted = await this.#d.chat.send(this.#identity, stream, text, options);
      this.send(ackFrame(nonce, accepted.id, accepted.seq, accepted.ts, accepted.sampled));
    } catch (err) {
      this.#refuse(nonce, err);
    }
  }

  #refuse(nonce: Nonce | undefined, err: unknown): void {
    const chatError = asRefusal(this.#d.logger, err, { connection: this.#id });
    this.send(errorFrame(nonce, chatError.code, chatError.message, chatError.retryAfterMs));
    if (!NOT_A_STRIKE.has(chatError.code) && !this.#strikes.tryTake(performance.now())) {
      this.#d.metrics.abuseCloses.inc();
      this.close(CLOSE.policy, 'repeated abuse');
    }
  }
}

class JoinCancelled extends Error {}
