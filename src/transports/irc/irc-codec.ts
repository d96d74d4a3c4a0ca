import { userIn, type Identity } from '../../auth/identity.ts';
import type { OutboundBatch } from '../../fanout/outbound-frame.ts';
import type { JoinResult } from '../../fanout/stream-hub.ts';
import { ChatError } from '../../protocol/errors.ts';
import { STREAM_NAME } from '../../protocol/types.ts';
import type { Codec, Decoded } from '../../session/codec.ts';
import type { Session } from '../../session/session.ts';
import type { CloseReason, Transport } from '../../session/transport.ts';
import type { ChatCommands } from './chat-commands.ts';
import type { IrcFrames } from './irc-frames.ts';
import { parseLine, type IrcMessage } from './irc-line.ts';
import { ircRefusal, LINE, type IrcRef } from './irc-refusals.ts';
import { IrcRegistration } from './irc-registration.ts';
import type { IrcRooms, Member } from './irc-rooms.ts';
import {
  SERVER, noticeLine, roomstateLine, serverLine, userLine, userstateLine, withoutTags,
} from './twitch-lines.ts';
import type { UserDirectory } from './user-directory.ts';

export interface IrcCodecDeps {
  commands: ChatCommands;
  frames: IrcFrames;
  directory: UserDirectory;
  rooms: IrcRooms;
}

type IrcSession = Session<IrcMessage, IrcRef>;

// A command name may hold digits (Twitch's /r9kbeta).
const COMMAND = /^[/.]([A-Za-z][A-Za-z0-9]*)(?:\s+(.*))?$/;
const ACTION = /^\x01ACTION (.*)\x01$/;
/** Recent ids of this session's own lines: a shared frame carrying one is cut down for this session. */
const OWN_IDS = 64;

const FAREWELLS: Partial<Record<CloseReason, string>> = {
  idle: 'ERROR :Closing Link: idle (not registered, or anonymous in no room)\r\n',
  tokenExpired: noticeLine('*', 'token_expired', 'Your login token has expired; reconnect with a new one.') + 'ERROR :Closing Link: token expired\r\n',
  abuse: 'ERROR :Closing Link: repeated abuse\r\n',
};

/**
 * Twitch-compatible IRC, one per session (its registration is state): CAP,
 * PASS and NICK, rooms, chat both ways, moderator commands. Live lines come
 * from the fan-out core as frames encoded once for every IRC session with
 * the same capabilities.
 */
export class IrcCodec implements Codec<IrcMessage, IrcRef>, Member {
  readonly #d: IrcCodecDeps;
  #session!: IrcSession;
  readonly #registration: IrcRegistration;
  readonly #ownIds = new Set<string>();

  constructor(deps: IrcCodecDeps) {
    this.#d = deps;
    this.#registration = new IrcRegistration(deps.directory, (text) => this.write(text));
  }

  get login(): string {
    return this.#registration.login;
  }

  get wantsMembership(): boolean {
    return this.#registration.has('twitch.tv/membership');
  }

  get #tags(): boolean {
    return this.#registration.has('twitch.tv/tags');
  }

  get #commands(): boolean {
    return this.#registration.has('twitch.tv/commands');
  }

  /** Lines are built tagged; a session without twitch.tv/tags gets them without. */
  #form(text: string): string {
    return this.#tags || text === '' ? text : withoutTags(text);
  }

  /** Lines for this session only (room membership announcements too). */
  write(text: string): void {
    this.#session.write(this.#form(text));
  }

  opened(session: IrcSession): string {
    this.#session = session;
    return '';
  }

  decode(line: string): Decoded<IrcMessage, IrcRef> {
    const message = parseLine(line);
    return message === undefined ? { ok: false, ref: LINE, refusal: new ChatError('invalid', 'not an IRC line') } : { ok: true, frame: message };
  }

  /** A PRIVMSG refused is answered on its channel with Twitch's msg_ratelimit, which tmi.js ties to that channel's pending say(). */
  refOfUnread(line: string): IrcRef {
    const message = parseLine(line);
    const target = message?.params[0];
    return message?.command === 'PRIVMSG' && target?.startsWith('#') ? { kind: 'send', channel: target } : LINE;
  }

  /** Dispatches one line; only registration and renewal are awaited (by the session's gate). */
  handle(m: IrcMessage, session: IrcSession): Promise<void> | undefined {
    const [first = '', second = ''] = m.params;
    switch (m.command) {
      case 'CAP':
        this.#registration.cap(first.toUpperCase(), second);
        return this.#registration.tryRegister(session);
      case 'PASS':
        return this.#registration.pass(first, session);
      case 'NICK':
        this.#registration.nick(first);
        return this.#registration.tryRegister(session);
      case 'USER':
      case 'PONG':
        return;
      case 'PING':
        // tmi.js waits for exactly this unprefixed form; others get their token back.
        this.write(m.params.length === 0 ? 'PONG :' + SERVER + '\r\n' : serverLine(undefined, 'PONG', [SERVER], m.params[m.params.length - 1]));
        return;
      case 'QUIT':
        session.close('done');
        return;
    }
    if (!this.#registration.registered) {
      this.write(serverLine(undefined, '451', ['*'], 'You have not registered'));
      return;
    }
    switch (m.command) {
      case 'JOIN':
        for (const channel of first.split(',')) if (channel !== '') this.#join(channel, session);
        return;
      case 'PART':
        for (const channel of first.split(',')) {
          const stream = channel.startsWith('#') ? channel.slice(1) : channel;
          if (channel !== '' && session.watching(stream)) session.leave(stream);
        }
        return;
      case 'PRIVMSG':
        // A reply names its parent in a client tag (tmi.js's reply(), Twitch's web chat).
        void this.#privmsg(first, second, m.tags.get('reply-parent-msg-id'), session);
        return;
      default:
        this.write(serverLine(undefined, '421', [this.login, m.command], 'Unknown command'));
    }
  }

  #join(channel: string, session: IrcSession): void {
    const stream = channel.startsWith('#') ? channel.slice(1) : channel;
    if (!STREAM_NAME.test(stream)) return session.refuse({ kind: 'room', channel }, new ChatError('invalid', 'no such room'));
    if (session.watching(stream)) return;
    // No history over IRC, as on Twitch: the viewer attaches at the stream's newest seq.
    void session.join(stream, { history: 0, since: undefined, roles: this.#commands }, { kind: 'join', channel: '#' + stream });
  }

  joined(stream: string, result: JoinResult, me: Identity | null): string {
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
    this.#d.rooms.enter(stream, this, this.#session.signedIn);
    return this.#form(lines);
  }

  left(stream: string, asked: boolean): string {
    this.#d.rooms.leave(stream, this, asked && this.#session.signedIn);
    return asked ? this.#form(userLine(this.login, 'PART', '#' + stream)) : '';
  }

  async #privmsg(target: string, raw: string, parent: string | undefined, session: IrcSession): Promise<void> {
    if (!target.startsWith('#')) {
      this.write(serverLine(undefined, '401', [this.login, target], 'No such nick/channel (whispers are not supported)'));
      return;
    }
    const stream = target.slice(1);
    if (!STREAM_NAME.test(stream)) return session.refuse({ kind: 'room', channel: target }, new ChatError('invalid', 'no such room'));
    let text = ACTION.exec(raw)?.[1] ?? raw;
    const command = COMMAND.exec(text);
    if (command !== null && command[1]!.toLowerCase() !== 'me') {
      const args = (command[2] ?? '').split(' ').filter((a) => a !== '');
      try {
        this.write(await this.#d.commands.run(session.identity, stream, command[1]!.toLowerCase(), args));
      } catch (err) {
        session.refuse({ kind: 'command', channel: target }, err);
      }
      return;
    }
    if (command !== null) text = command[2] ?? '';
    const accepted = await session.send(stream, text, { kind: 'send', channel: target }, false, { parent });
    if (accepted === undefined) return;
    this.#noteOwn(accepted.id);
    // Twitch answers a line with the sender's USERSTATE: a role granted or revoked since the JOIN shows here.
    if (this.#commands) this.write(userstateLine(accepted.user, stream));
  }

  #noteOwn(id: string): void {
    this.#ownIds.add(id);
    if (this.#ownIds.size > OWN_IDS) this.#ownIds.delete(this.#ownIds.values().next().value!);
  }

  refusal(err: ChatError, ref: IrcRef): string {
    return this.#form(ircRefusal(err, ref, this.login));
  }

  reconnect(): string {
    return this.#form(serverLine(undefined, 'RECONNECT', []));
  }

  farewell(reason: CloseReason): string {
    return this.#form(FAREWELLS[reason] ?? '');
  }

  /** A flush, frame by frame: each frame's lines are shared by the sessions with the same capabilities. */
  deliver(batch: OutboundBatch, transport: Transport): void {
    for (const frame of batch.frames) {
      if (!transport.open) return;
      const irc = this.#d.frames.of(frame);
      if (!irc.isChat && !this.#commands) continue;
      const identity = this.#session.identity;
      if (identity !== null && irc.isOwnRestricted(identity.id)) continue;
      // IRC never echoes a client's own line: the rare frame carrying one is cut down for this session.
      if (identity !== null && this.#ownIds.size > 0 && irc.hasLineOf(identity.id)) {
        this.write(irc.textWithout(this.#ownIds));
        continue;
      }
      const text = irc.text(this.#tags);
      if (text !== '' && !transport.writeShared(irc.bytes(this.#tags, transport.wsFramed))) transport.write(text);
    }
  }
}
