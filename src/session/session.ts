import type { Logger } from 'pino';
import type { Authenticator } from '../auth/tokens.ts';
import { canModerate, type Identity } from '../auth/identity.ts';
import type { Accepted, ChatService } from '../chat/chat-service.ts';
import type { GrantedRoles } from '../chat/granted-roles.ts';
import type { TokenRoles } from '../chat/token-roles.ts';
import { asRefusal } from '../chat/backend-error.ts';
import type { OutboundBatch, Viewer } from '../fanout/outbound-frame.ts';
import type { JoinResult, StreamHub } from '../fanout/stream-hub.ts';
import type { ConnectionSlot } from '../limits/connection-budget.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SendOptions } from '../protocol/client-frames.ts';
import { ChatError } from '../protocol/errors.ts';
import type { Codec } from './codec.ts';
import { IdleDeadline } from './idle-deadline.ts';
import { ShuttingDown, TooManyConnections, TooManyStreams, frameRateExceeded, isStrike } from './refusals.ts';
import { SlowConsumerCheck, type BacklogLimits } from './slow-consumer.ts';
import { TokenExpiry, expiresAtOf, msUntil } from './token-expiry.ts';
import type { CloseReason, Transport, TransportEvents } from './transport.ts';

export interface SessionLimits extends BacklogLimits {
  maxStreamsPerConnection: number;
  /** Most messages a `since` resume replays. */
  resumeMax: number;
  abuseStrikes: number;
  abuseWindowMs: number;
  inboundFramesPerSecond: number;
  anonymousIdleMs: number;
}

/** What every session needs, whatever its protocol; narrowed to the calls it makes, so a test can hand it fakes. */
export interface SessionDeps extends SessionLimits {
  auth: Pick<Authenticator, 'verify'>;
  chat: Pick<ChatService, 'send' | 'acknowledgeWarning'>;
  /** A join may ask for the viewer's roles in the stream, granted ones included. */
  grants: Pick<GrantedRoles, 'effective'>;
  /** A broadcaster's or moderator's join or sign-in is recorded, so other moderators cannot ban them before they chat. */
  tokenRoles: Pick<TokenRoles, 'note' | 'noteAll'>;
  hub: Pick<StreamHub, 'join' | 'leave'>;
  metrics: Pick<Metrics, 'connections' | 'slowConsumerDrops' | 'abuseCloses' | 'connectionsRefused'>;
  logger: Logger;
}

export interface JoinAsk {
  history: number;
  since: number | undefined;
  /** Look up the viewer's effective roles for the codec's answer. */
  roles: boolean;
}

const INBOUND_WINDOW_MS = 2_000;

let nextSessionId = 0;

/**
 * One client connection, whatever its protocol: the rules every protocol
 * shares live here once. The auth gate (frames after a sign-in wait for it;
 * token expiry and renewal; the anonymous idle close), joins and their
 * cancellation, the frame rate, strikes, the one slow-consumer rule, and
 * the mapping of every refusal through the codec. The codec supplies the
 * words, the transport the wire. Nothing here awaits per delivery.
 */
export class Session<Frame, Ref> implements Viewer, TransportEvents {
  readonly id = `s${++nextSessionId}`;
  readonly #t: Transport;
  readonly #codec: Codec<Frame, Ref>;
  readonly #d: SessionDeps;
  /** Its place in the connection budget: signing in counts it against the user too. */
  readonly #slot: ConnectionSlot;
  #identity: Identity | null = null;
  #expiresAt: number | undefined;
  /** Closes the session when its token expires; made at the first sign-in, re-armed by each. */
  #expiry: TokenExpiry | undefined;
  /** While a sign-in is verified, later frames queue behind it, in order. */
  #gate: Promise<void> | undefined;
  /** Streams joined (true) or being joined (that join's ticket): a join whose ticket is gone when it lands was cancelled. */
  readonly #streams = new Map<string, true | object>();
  readonly #inbound: TokenBucket;
  readonly #strikes: TokenBucket;
  readonly #backlog: SlowConsumerCheck;
  readonly #idle: IdleDeadline;
  #alive = true;
  #closing = false;
  /** Set on shutdown: the `afterMs` that new sends are told to wait. */
  #drainingAfterMs: number | undefined;
  readonly #onClosed: (session: Session<Frame, Ref>) => void;

  constructor(transport: Transport, codec: Codec<Frame, Ref>, deps: SessionDeps, slot: ConnectionSlot, onClosed: (session: Session<Frame, Ref>) => void) {
    this.#t = transport;
    this.#codec = codec;
    this.#d = deps;
    this.#slot = slot;
    this.#onClosed = onClosed;
    this.#inbound = new TokenBucket(deps.inboundFramesPerSecond * (INBOUND_WINDOW_MS / 1_000), INBOUND_WINDOW_MS);
    this.#strikes = new TokenBucket(deps.abuseStrikes, deps.abuseWindowMs);
    this.#backlog = new SlowConsumerCheck(deps);
    this.#idle = new IdleDeadline(deps.anonymousIdleMs, () => this.#identity === null && this.#streams.size === 0, () => {
      deps.metrics.connectionsRefused.inc({ reason: 'idle' });
      this.close('idle');
    });
    transport.listen(this);
    this.write(codec.opened(this));
  }

  get viewerId(): string {
    return this.#identity?.id ?? this.id;
  }

  get signedIn(): boolean {
    return this.#identity !== null;
  }

  get identity(): Identity | null {
    return this.#identity;
  }

  /** How long the token signed in with has left; undefined for a token without `exp`. */
  get tokenExpiresInMs(): number | undefined {
    return msUntil(this.#expiresAt);
  }

  get transportName(): string {
    return this.#t.name;
  }

  /** Joined or being joined. */
  watching(stream: string): boolean {
    return this.#streams.has(stream);
  }

  /** A fan-out flush shared by many viewers: written as the codec's shared bytes, under the backlog rule. */
  deliver(batch: OutboundBatch): void {
    if (this.#closing || !this.#t.open || !this.#checkBacklog()) return;
    this.#codec.deliver(batch, this.#t, this);
  }

  /** Text for this session only, under the same backlog rule. */
  write(text: string): void {
    if (text === '' || this.#closing || !this.#t.open || !this.#checkBacklog()) return;
    this.#t.write(text);
  }

  /** False once the reader is too far behind: it is being closed. */
  #checkBacklog(): boolean {
    if (this.#backlog.ok(this.#t.backlog)) return true;
    this.#d.metrics.slowConsumerDrops.inc();
    this.close('slow');
    return false;
  }

  received(data: string, binary: boolean): void {
    if (this.#closing) return;
    // Refused unread, yet answered with what the codec can read of it: its sender waits for that answer.
    if (!this.#inbound.tryTake(performance.now())) {
      this.refuse(this.#codec.refOfUnread(data), frameRateExceeded());
      return;
    }
    const decoded = this.#codec.decode(data, binary);
    if (!decoded.ok) {
      this.refuse(decoded.ref, decoded.refusal);
      return;
    }
    const frame = decoded.frame;
    const pending = this.#gate === undefined ? this.#codec.handle(frame, this) : this.#gate.then(() => this.#codec.handle(frame, this));
    if (pending === undefined) return;
    // Frames after a sign-in wait for it, so a send right after signing in is not anonymous.
    const gate = pending.catch((err: unknown) => {
      this.#d.logger.error({ err, session: this.id }, 'session frame failed');
      this.close('done');
    });
    this.#gate = gate;
    void gate.finally(() => {
      if (this.#gate === gate) this.#gate = undefined;
    });
  }

  alive(): void {
    this.#alive = true;
  }

  /**
   * Verifies `token` and signs the session in, or renews its token: a
   * renewal (same user) replaces the identity and the expiry, a refused one
   * changes neither. `fits` may refuse a valid token that this protocol
   * cannot take (IRC: the token's name must be the NICK). Refusals are
   * answered for `ref`; true when signed in.
   */
  async authenticate(token: string, ref: Ref, fits?: (identity: Identity) => void): Promise<boolean> {
    try {
      const identity = await this.#d.auth.verify(token);
      fits?.(identity);
      if (this.#closing) return false;
      if (this.#identity !== null && this.#identity.id !== identity.id) {
        throw new ChatError('forbidden', 'this connection is already signed in as another user');
      }
      if (!this.#slot.claimUser(identity.id)) throw new TooManyConnections();
      this.#identity = identity;
      this.#expiresAt = expiresAtOf(token);
      this.#expiry ??= new TokenExpiry(() => this.close('tokenExpired'));
      this.#expiry.arm(this.#expiresAt);
      await this.#d.tokenRoles.noteAll(identity, this.#streams.keys());
      return !this.#closing;
    } catch (err) {
      this.refuse(ref, err);
      return false;
    }
  }

  /**
   * Joins `stream`: answered with the codec's `joined` in the same turn as the
   * viewer is attached, or refused for `ref`. Cancelled without an answer when
   * the client left the stream (or closed) while the join was in flight.
   */
  async join(stream: string, ask: JoinAsk, ref: Ref): Promise<boolean> {
    if (this.#streams.size >= this.#d.maxStreamsPerConnection) {
      this.refuse(ref, new TooManyStreams(this.#d.maxStreamsPerConnection));
      return false;
    }
    const ticket = {};
    this.#streams.set(stream, ticket);
    const request = { history: ask.history, since: ask.since, resumeMax: this.#d.resumeMax };
    try {
      // Read before attaching: the answer is written in the same step as the viewer is attached.
      await this.#d.tokenRoles.note(this.#identity, stream);
      const me = ask.roles ? await this.#d.grants.effective(this.#identity, stream) : null;
      // Moderators see lines at once when the stream has a chat delay; a viewer whose roles were not asked for is delayed.
      const moderator = me !== null && canModerate(me, stream);
      await this.#d.hub.join(stream, this, { ...request, moderator }, (result: JoinResult) => {
        if (this.#closing || this.#streams.get(stream) !== ticket) throw new JoinCancelled();
        this.#streams.set(stream, true);
        this.write(this.#codec.joined(stream, result, me, ref));
      });
      return true;
    } catch (err) {
      if (err instanceof JoinCancelled) return false;
      if (this.#streams.get(stream) === ticket) this.#streams.delete(stream);
      if (this.#streams.size === 0) this.#idle.restart();
      this.refuse(ref, err);
      return false;
    }
  }

  /** Leaves `stream` at the client's asking, cancelling a join in flight; false when it was not watched. */
  leave(stream: string): boolean {
    if (!this.#streams.delete(stream)) return false;
    this.#d.hub.leave(stream, this);
    this.write(this.#codec.left(stream, true));
    if (this.#streams.size === 0) this.#idle.restart();
    return true;
  }

  /**
   * Sends `text` to `stream` (`joinedOnly`: the protocol wants the stream joined first; `options`: the
   * line it replies to, an announcement's colour); undefined when refused for `ref`.
   */
  async send(stream: string, text: string, ref: Ref, joinedOnly: boolean, options: SendOptions = {}): Promise<Accepted | undefined> {
    try {
      if (this.#drainingAfterMs !== undefined) throw new ShuttingDown(this.#drainingAfterMs);
      if (joinedOnly && !this.#streams.has(stream)) throw new ChatError('not_joined', `join ${stream} before sending to it`);
      return await this.#d.chat.send(this.#identity, stream, text, options);
    } catch (err) {
      this.refuse(ref, err);
      return undefined;
    }
  }

  /** The user acknowledges a moderator's warning in `stream` (any protocol); false when refused for `ref`. */
  async acknowledge(stream: string, ref: Ref): Promise<boolean> {
    try {
      await this.#d.chat.acknowledgeWarning(this.#identity, stream);
      return true;
    } catch (err) {
      this.refuse(ref, err);
      return false;
    }
  }

  /** Answers a refusal in the codec's words; too many of them within the abuse window close the session. */
  refuse(ref: Ref, err: unknown): void {
    const refusal = asRefusal(this.#d.logger, err, { session: this.id });
    this.write(this.#codec.refusal(refusal, ref));
    if (isStrike(refusal) && !this.#strikes.tryTake(performance.now())) {
      this.#d.metrics.abuseCloses.inc();
      this.close('abuse');
    }
  }

  /** The gateway's heartbeat: catches a reader that fell behind without new traffic, and one that went silent. */
  heartbeat(): void {
    if (this.#closing) return;
    if (this.#backlog.slow && !this.#checkBacklog()) return;
    if (!this.#alive) {
      this.close('unresponsive');
      return;
    }
    this.#alive = false;
    this.#t.ping();
  }

  /** Shutdown: tells the client to reconnect; sends already accepted still get their answer, new ones are refused. */
  drain(afterMs: number): void {
    this.write(this.#codec.reconnect(afterMs));
    this.#drainingAfterMs = afterMs;
  }

  close(reason: CloseReason): void {
    if (this.#closing) return;
    // Last words go before the close, behind whatever is queued; a reader too slow for them gets none.
    if (reason !== 'slow') this.write(this.#codec.farewell(reason));
    if (this.#closing) return;
    this.#closing = true;
    this.#expiry?.clear();
    this.#leaveAll();
    this.#t.close(reason);
  }

  closed(): void {
    this.#closing = true;
    this.#expiry?.clear();
    this.#idle.stop();
    this.#leaveAll();
    this.#onClosed(this);
  }

  #leaveAll(): void {
    for (const stream of this.#streams.keys()) {
      this.#d.hub.leave(stream, this);
      this.#codec.left(stream, false);
    }
    this.#streams.clear();
  }
}

class JoinCancelled extends Error {}
