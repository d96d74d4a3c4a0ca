import type { Logger } from 'pino';
import type { Authenticator } from '../../auth/tokens.ts';
import { userIn, type Identity } from '../../auth/identity.ts';
import type { ChatService } from '../../chat/chat-service.ts';
import type { GrantedRoles } from '../../chat/granted-roles.ts';
import type { Metrics } from '../../observability/metrics.ts';
import type { OutboundBatch, OutboundFrame, Viewer } from '../../fanout/outbound-frame.ts';
import type { StreamHub } from '../../fanout/stream-hub.ts';
import { TokenBucket } from '../../limits/token-bucket.ts';
import { SlowConsumerCheck, type BacklogLimits } from '../../session/slow-consumer.ts';
import { TokenExpiry, expiresAtOf } from '../../session/token-expiry.ts';
import { ChatError } from '../../protocol/errors.ts';
import { STREAM_NAME, type ErrorCode } from '../../protocol/types.ts';
import type { ChatCommands } from './chat-commands.ts';
import type { IrcFrames } from './irc-frames.ts';
import { parseLine, type IrcMessage } from './irc-line.ts';
import type { IrcRooms, Member } from './irc-rooms.ts';
import { jwtFromPassword } from '../../auth/irc-token.ts';
import type { IrcTransport } from './irc-transport.ts';
import { refText, sendRefusal } from './twitch-notices.ts';
import { asRefusal, backendError } from '../../chat/backend-error.ts';
import {
  SERVER, globaluserstateLine, noticeLine, roomstateLine, serverLine, userLine, userstateLine, withoutTags,
} from './twitch-lines.ts';
import type { UserDirectory } from './user-directory.ts';
import type { TokenRoles } from '../../chat/token-roles.ts';
import type { ConnectionSlot } from '../../limits/connection-budget.ts';
import { IdleDeadline } from '../../session/idle-deadline.ts';

export interface IrcSessionDeps extends BacklogLimits {
  auth: Authenticator;
  chat: ChatService;
  /** USERSTATE on JOIN carries the badges of the roles granted on the server too. */
  grants: GrantedRoles;
  /** A broadcaster's or moderator's JOIN is recorded, so other moderators cannot ban them before they chat. */
  tokenRoles: TokenRoles;
  hub: StreamHub;
  commands: ChatCommands;
  frames: IrcFrames;
  directory: UserDirectory;
  rooms: IrcRooms;
  metrics: Metrics;
  logger: Logger;
  maxStreamsPerConnection: number;
  resumeMax: number;
  abuseStrikes: number;
  abuseWindowMs: number;
  inboundFramesPerSecond: number;
  anonymousIdleMs: number;
}

export const CAPABILITIES = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'] as const;
const NICK = /^[a-z0-9_]{1,25}$/;
const ANONYMOUS = /^justinfan\d+$/;
const COMMAND = /^[/.]([A-Za-z]+)(?:\s+(.*))?$/;
const ACTION = /^\x01ACTION (.*)\x01$/;
// Refusals caused by the server or by moderation, not by the client's behaviour.
const NOT_A_STRIKE: ReadonlySet<ErrorCode> = new Set(['overloaded', 'unavailable', 'held']);
/** Recent ids of this session's own lines: a shared frame carrying one is cut down for this session. */
const OWN_IDS = 64;

let nextSessionId = 0;

/**
 * One IRC client, over WebSocket or TCP: registration (CAP, PASS, NICK),
 * rooms, chat both ways, moderator commands. Live lines come from the stream
 * hub as frames encoded once per stream for every IRC client.
 */
export class IrcSession implements Viewer, Member {
  readonly #t: IrcTransport;
  readonly #d: IrcSessionDeps;
  readonly #id = `irc${++nextSessionId}`;
  readonly #caps = new Set<string>();
  /** CAP LS was sent: registration waits for CAP END (tmi.js sends only CAP REQ and is not held). */
  #capHeld = false;
  #pass: string | undefined;
  #nick: string | undefined;
  #registered = false;
  #identity: Identity | null = null;
  /** Closes the session when its token expires; armed at registration, re-armed by a later PASS. */
  #expiry: TokenExpiry | undefined;
  login = '*';
  /** Rooms joined (true) or being joined (false). */
  readonly #streams = new Map<string, boolean>();
  readonly #ownIds = new Set<string>();
  /** While registration is verified, later lines queue behind it, in order. */
  #gate: Promise<void> | undefined;
  readonly #inbound: TokenBucket;
  readonly #strikes: TokenBucket;
  readonly #backlog: SlowConsumerCheck;
  #alive = true;
  #closing = false;
  #draining = false;
  /** Its place in the connection budget: a signed-in login counts it against the user too. */
  readonly #slot: ConnectionSlot;
  readonly #idle: IdleDeadline;

  constructor(transport: IrcTransport, deps: IrcSessionDeps, slot: ConnectionSlot) {
    this.#t = transport;
    this.#d = deps;
    this.#slot = slot;
    this.#idle = new IdleDeadline(deps.anonymousIdleMs, () => !this.#registered || (this.#identity === null && this.#streams.size === 0), () => {
      deps.metrics.connectionsRefused.inc({ reason: 'idle' });
      this.write('ERROR :Closing Link: idle (not registered, or anonymous in no room)\r\n');
      this.close();
    });
    this.#inbound = new TokenBucket(deps.inboundFramesPerSecond * 2, 2_000);
    this.#strikes = new TokenBucket(deps.abuseStrikes, deps.abuseWindowMs);
    this.#backlog = new SlowConsumerCheck(deps);
  }

  get viewerId(): string {
    return this.#identity?.id ?? this.#id;
  }

  get signedIn(): boolean {
    return this.#identity !== null;
  }

  get wantsMembership(): boolean {
    return this.#caps.has('twitch.tv/membership');
  }

  get #tags(): boolean {
    return this.#caps.has('twitch.tv/tags');
  }

  get #commands(): boolean {
    return this.#caps.has('twitch.tv/commands');
  }

  /** Lines for this session only. */
  write(text: string): void {
    if (text === '' || this.#closing || !this.#checkBacklog()) return;
    this.#t.write(this.#tags ? text : withoutTags(text));
  }

  /** A hub flush, frame by frame (IRC clients are few; each frame's lines are shared by clients with the same capabilities). */
  deliver(batch: OutboundBatch): void {
    for (const frame of batch.frames) this.#deliverFrame(frame);
  }

  /** A hub frame: the same bytes for every IRC client of the stream with the same capabilities. */
  #deliverFrame(frame: OutboundFrame): void {
    if (this.#closing) return;
    const irc = this.#d.frames.of(frame);
    if (!irc.isChat && !this.#commands) return;
    if (this.#identity !== null && this.#ownIds.size > 0 && irc.hasLineOf(this.#identity.id)) {
      this.write(irc.textWithout(this.#ownIds));
      return;
    }
    const text = irc.text(this.#tags);
    if (text === '' || !this.#checkBacklog()) return;
    this.#t.writeShared(irc.bytes(this.#tags, this.#t.websocket), text);
  }

  #checkBacklog(): boolean {
    if (this.#backlog.ok(this.#t.backlog)) return true;
    this.#d.metrics.slowConsumerDrops.inc();
    this.#closing = true;
    this.#t.closeSlow();
    return false;
  }

  /** The gateway's keepalive: a client silent since the previous PING is dropped. */
  ping(): void {
    if (this.#closing) return;
    if (this.#backlog.slow && !this.#checkBacklog()) return;
    if (!this.#alive) {
      this.close();
      return;
    }
    this.#alive = false;
    this.write('PING :' + SERVER + '\r\n');
  }

  /** Shutdown: Twitch's RECONNECT (tmi.js reconnects on it); later lines are refused. */
  drain(): void {
    this.#draining = true;
    this.write(serverLine(undefined, 'RECONNECT', []));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#expiry?.clear();
    this.#t.close();
  }

  /** The transport is gone. */
  closed(): void {
    this.#closing = true;
    this.#expiry?.clear();
    this.#idle.stop();
    for (const stream of this.#streams.keys()) this.#leaveRoom(stream, false);
    this.#streams.clear();
  }

  onLine(line: string): void {
    if (this.#closing) return;
    this.#alive = true;
    // Parsed even when refused (a line is at most maxFrameBytes): the refusal names its channel.
    const message = parseLine(line);
    if (!this.#inbound.tryTake(performance.now())) {
      this.#refuse(lineRateLimited(message));
      return;
    }
    if (message === undefined) {
      this.#refuse(serverLine(undefined, '421', [this.login, '*'], 'Unknown command'));
      return;
    }
    const pending = this.#gate === undefined ? this.#handle(message) : this.#gate.then(() => this.#handle(message));
    if (pending === undefined) return;
    const gate = pending.catch((err: unknown) => {
      this.#d.logger.error({ err, session: this.#id }, 'irc registration failed');
      this.close();
    });
    this.#gate = gate;
    void gate.finally(() => {
      if (this.#gate === gate) this.#gate = undefined;
    });
  }

  /** Dispatches one line; only registration is awaited (by the gate), everything else answers on its own. */
  #handle(m: IrcMessage): Promise<void> | undefined {
    const [first = '', second = ''] = m.params;
    switch (m.command) {
      case 'CAP':
        this.#cap(first.toUpperCase(), second);
        return this.#tryRegister();
      case 'PASS':
        // After registration, a PASS renews the token (Chorus's own addition: Twitch has no such thing).
        if (this.#registered) return this.#renew(first);
        this.#pass = first;
        return;
      case 'NICK':
        if (!this.#registered) this.#nick = first.toLowerCase();
        return this.#tryRegister();
      case 'USER':
        return;
      case 'PING':
        // tmi.js waits for exactly this unprefixed form; others get their token back.
        this.write(m.params.length === 0 ? 'PONG :' + SERVER + '\r\n' : serverLine(undefined, 'PONG', [SERVER], m.params[m.params.length - 1]));
        return;
      case 'PONG':
        return;
      case 'QUIT':
        this.close();
        return;
    }
    if (!this.#registered) {
      this.write(serverLine(undefined, '451', ['*'], 'You have not registered'));
      return;
    }
    switch (m.command) {
      case 'JOIN':
        for (const channel of first.split(',')) if (channel !== '') void this.#join(channel);
        return;
      case 'PART':
        for (const channel of first.split(',')) if (channel !== '') this.#part(channel);
        return;
      case 'PRIVMSG':
        // A reply names its parent in a client tag (tmi.js's reply(), Twitch's web chat).
        void this.#privmsg(first, second, m.tags.get('reply-parent-msg-id'));
        return;
      default:
        this.write(serverLine(undefined, '421', [this.login, m.command], 'Unknown command'));
    }
  }

  #cap(sub: string, list: string): void {
    // Twitch answers every CAP with `*` as the target, registered or not.
    const target = '*';
    switch (sub) {
      case 'LS':
        if (!this.#registered) this.#capHeld = true;
        this.write(serverLine(undefined, 'CAP', [target, 'LS'], CAPABILITIES.join(' ')));
        return;
      case 'REQ': {
        const wanted = list.split(' ').filter((c) => c !== '');
        // All or nothing, as IRCv3 says.
        if (wanted.length > 0 && wanted.every((c) => (CAPABILITIES as readonly string[]).includes(c))) {
          for (const c of wanted) this.#caps.add(c);
          this.write(serverLine(undefined, 'CAP', [target, 'ACK'], wanted.join(' ')));
        } else {
          this.write(serverLine(undefined, 'CAP', [target, 'NAK'], list));
        }
        return;
      }
      case 'LIST':
        this.write(serverLine(undefined, 'CAP', [target, 'LIST'], [...this.#caps].join(' ')));
        return;
      case 'END':
        this.#capHeld = false;
        return;
      default:
        this.write(serverLine(undefined, '410', [target, sub], 'Invalid CAP command'));
    }
  }

  #tryRegister(): Promise<void> | undefined {
    if (this.#registered || this.#nick === undefined || this.#capHeld) return undefined;
    this.#registered = true;
    return this.#register(this.#nick);
  }

  async #register(nick: string): Promise<void> {
    if (!NICK.test(nick)) return this.#loginFailed('Invalid NICK');
    if (!ANONYMOUS.test(nick)) {
      // Twitch's own words: tmi.js recognises them and stops reconnecting.
      if (this.#pass === undefined) return this.#loginFailed('Improperly formatted auth');
      const jwt = jwtFromPassword(this.#pass);
      this.#pass = undefined;
      try {
        if (jwt === undefined) throw new ChatError('unauthorized', 'not a token');
        const identity = await this.#d.auth.verify(jwt);
        if (identity.name.toLowerCase() !== nick) throw new ChatError('unauthorized', 'NICK is not the token\'s name');
        if (this.#closing) return;
        if (!this.#slot.claimUser(identity.id)) return this.#loginFailed('Too many connections for this user');
        this.#identity = identity;
        this.#expiry = new TokenExpiry(() => this.#expired());
        this.#expiry.arm(expiresAtOf(jwt));
      } catch (err) {
        if (!(err instanceof ChatError)) throw err;
        return this.#loginFailed('Login authentication failed');
      }
      this.#d.directory.note(this.#identity.name, this.#identity.id);
    }
    this.login = nick;
    let burst = serverLine(undefined, '001', [nick], 'Welcome, GLHF!')
      + serverLine(undefined, '002', [nick], `Your host is ${SERVER}`)
      + serverLine(undefined, '003', [nick], 'This server is rather new')
      + serverLine(undefined, '004', [nick], '-')
      + serverLine(undefined, '375', [nick], '-')
      + serverLine(undefined, '372', [nick], 'You are in a maze of twisty passages, all alike.')
      + serverLine(undefined, '376', [nick], '>');
    if (this.#identity !== null && this.#commands) burst += globaluserstateLine(userIn(this.#identity, ''));
    this.write(burst);
  }

  /** A new token for the same user (same `sub`, name = NICK) replaces the identity and its expiry. */
  async #renew(password: string): Promise<void> {
    const jwt = jwtFromPassword(password);
    try {
      if (this.#identity === null) throw new ChatError('forbidden', 'an anonymous login cannot sign in; reconnect with PASS and NICK');
      if (jwt === undefined) throw new ChatError('unauthorized', 'not a token');
      const identity = await this.#d.auth.verify(jwt);
      if (identity.id !== this.#identity.id || identity.name.toLowerCase() !== this.login) throw new ChatError('forbidden', 'the token is for another user');
      if (this.#closing) return;
      this.#identity = identity;
      this.#expiry?.arm(expiresAtOf(jwt));
      this.write(noticeLine('*', 'token_refreshed', 'Your login token was renewed.'));
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.#refuse(noticeLine('*', 'token_refused', `Your new token was refused (${err.message}); the old one holds until it expires.`));
    }
  }

  #expired(): void {
    this.write(noticeLine('*', 'token_expired', 'Your login token has expired; reconnect with a new one.'));
    this.write('ERROR :Closing Link: token expired\r\n');
    this.close();
  }

  #loginFailed(text: string): void {
    this.write(noticeLine('*', undefined, text));
    this.close();
  }

  async #join(channel: string): Promise<void> {
    const stream = channel.startsWith('#') ? channel.slice(1) : channel;
    if (!STREAM_NAME.test(stream)) {
      this.#refuse(noticeLine(channel, 'msg_room_not_found', 'That room does not exist.'));
      return;
    }
    if (this.#streams.has(stream)) return;
    if (this.#streams.size >= this.#d.maxStreamsPerConnection) {
      this.#refuse(noticeLine('#' + stream, 'no_permission', `A connection may be in at most ${this.#d.maxStreamsPerConnection} rooms.`));
      return;
    }
    this.#streams.set(stream, false);
    try {
      // Read before attaching: the USERSTATE below is written in the same step as the JOIN.
      await this.#d.tokenRoles.note(this.#identity, stream);
      const me = this.#commands ? await this.#d.grants.effective(this.#identity, stream) : null;
      // No history over IRC, as on Twitch: the viewer attaches at the stream's newest seq.
      await this.#d.hub.join(stream, this, { history: 0, since: undefined, resumeMax: this.#d.resumeMax }, (result) => {
        if (this.#closing || this.#streams.get(stream) !== false) throw new JoinCancelled();
        this.#streams.set(stream, true);
        const name = '#' + stream;
        const host = `${this.login}.${SERVER}`;
        let lines = userLine(this.login, 'JOIN', name)
          + `:${host} 353 ${this.login} = ${name} :${this.login}\r\n`
          + `:${host} 366 ${this.login} ${name} :End of /NAMES list\r\n`;
        if (this.#commands) {
          // tmi.js counts a signed-in join done at USERSTATE and resolves join() at ROOMSTATE: this order.
          if (me !== null) lines += userstateLine(userIn(me, stream), stream);
          lines += roomstateLine(stream, result.state.modes);
        }
        this.write(lines);
        this.#d.rooms.enter(stream, this, this.#identity !== null);
      });
    } catch (err) {
      if (err instanceof JoinCancelled) return;
      this.#streams.delete(stream);
      if (this.#streams.size === 0) this.#idle.restart();
      const refusal = asRefusal(this.#d.logger, err, { session: this.#id, stream });
      this.write(noticeLine('#' + stream, 'msg_unavailable', `The room is unavailable right now${refText(refusal)}; try again shortly.`));
    }
  }

  #part(channel: string): void {
    const stream = channel.startsWith('#') ? channel.slice(1) : channel;
    if (!this.#streams.has(stream)) return;
    this.#leaveRoom(stream, true);
    this.#streams.delete(stream);
    if (this.#streams.size === 0) this.#idle.restart();
    this.write(userLine(this.login, 'PART', '#' + stream));
  }

  #leaveRoom(stream: string, announce: boolean): void {
    this.#d.hub.leave(stream, this);
    this.#d.rooms.leave(stream, this, announce && this.#identity !== null);
  }

  async #privmsg(target: string, raw: string, parent: string | undefined): Promise<void> {
    if (!target.startsWith('#')) {
      this.write(serverLine(undefined, '401', [this.login, target], 'No such nick/channel (whispers are not supported)'));
      return;
    }
    const stream = target.slice(1);
    if (!STREAM_NAME.test(stream)) {
      this.#refuse(noticeLine(target, 'msg_room_not_found', 'That room does not exist.'));
      return;
    }
    let text = ACTION.exec(raw)?.[1] ?? raw;
    const command = COMMAND.exec(text);
    if (command !== null && command[1]!.toLowerCase() !== 'me') {
      const args = (command[2] ?? '').split(' ').filter((a) => a !== '');
      try {
        this.write(await this.#d.commands.run(this.#identity, stream, command[1]!.toLowerCase(), args));
      } catch (err) {
        const refusal = backendError(this.#d.logger, err, { session: this.#id, command: command[1] });
        this.write(noticeLine(target, 'msg_unavailable', `That command failed${refText(refusal)}; try again shortly.`));
      }
      return;
    }
    if (command !== null) text = command[2] ?? '';
    if (this.#draining) {
      this.write(noticeLine(target, 'msg_unavailable', 'This server is shutting down; reconnect.'));
      return;
    }
    try {
      const accepted = await this.#d.chat.send(this.#identity, stream, text, { parent });
      this.#noteOwn(accepted.id);
      // Twitch answers a line with the sender's USERSTATE: a role granted or revoked since the JOIN shows here.
      if (this.#commands) this.write(userstateLine(accepted.user, stream));
    } catch (err) {
      const chatError = asRefusal(this.#d.logger, err, { session: this.#id });
      const notice = sendRefusal(chatError, target);
      const line = noticeLine(target, notice.msgId, notice.text);
      if (NOT_A_STRIKE.has(chatError.code)) this.write(line);
      else this.#refuse(line);
    }
  }

  #noteOwn(id: string): void {
    this.#ownIds.add(id);
    if (this.#ownIds.size > OWN_IDS) this.#ownIds.delete(this.#ownIds.values().next().value!);
  }

  /** Answers a refusal; too many of them close the connection, as v1 does with 1008. */
  #refuse(line: string): void {
    this.write(line);
    if (!this.#strikes.tryTake(performance.now())) {
      this.#d.metrics.abuseCloses.inc();
      this.write('ERROR :Closing Link: repeated abuse\r\n');
      this.close();
    }
  }
}

/**
 * The answer to a line over the line limit. IRC has no nonce: a PRIVMSG's
 * refusal goes to its channel with Twitch's msg_ratelimit, which tmi.js ties
 * to that channel's pending say(); other lines get the NOTICE on `*`.
 */
function lineRateLimited(message: IrcMessage | undefined): string {
  const target = message?.params[0];
  if (message?.command === 'PRIVMSG' && target?.startsWith('#')) {
    const notice = sendRefusal(new ChatError('rate_limited', 'too many lines'), target);
    return noticeLine(target, notice.msgId, notice.text);
  }
  return noticeLine('*', 'msg_ratelimit', 'You are sending too many lines; slow down.');
}

class JoinCancelled extends Error {}
