import { userIn } from '../../auth/identity.ts';
import { jwtFromPassword } from '../../auth/irc-token.ts';
import { ChatError } from '../../protocol/errors.ts';
import type { Session } from '../../session/session.ts';
import type { IrcMessage } from './irc-line.ts';
import { LOGIN, RENEW, type IrcRef } from './irc-refusals.ts';
import { SERVER, globaluserstateLine, noticeLine, serverLine } from './twitch-lines.ts';
import type { UserDirectory } from './user-directory.ts';

type IrcSession = Session<IrcMessage, IrcRef>;

export const CAPABILITIES = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'] as const;
const NICK = /^[a-z0-9_]{1,25}$/;
const ANONYMOUS = /^justinfan\d+$/;

/**
 * An IRC session's registration as Twitch does it: CAP negotiation, PASS
 * and NICK, then the welcome burst; a PASS after it renews the token. The
 * token itself is checked by the session (`authenticate`), which also
 * answers its refusals.
 */
export class IrcRegistration {
  readonly #directory: UserDirectory;
  readonly #write: (text: string) => void;
  readonly #caps = new Set<string>();
  /** CAP LS was sent: registration waits for CAP END (tmi.js sends only CAP REQ and is not held). */
  #capHeld = false;
  #pass: string | undefined;
  #nick: string | undefined;
  registered = false;
  /** The NICK once registered; `*` before. */
  login = '*';

  constructor(directory: UserDirectory, write: (text: string) => void) {
    this.#directory = directory;
    this.#write = write;
  }

  has(capability: (typeof CAPABILITIES)[number]): boolean {
    return this.#caps.has(capability);
  }

  /** Before registration a PASS is kept for it; after, it renews the token (Chorus's own addition: Twitch has no such thing). */
  pass(password: string, session: IrcSession): Promise<void> | undefined {
    if (this.registered) return this.#renew(password, session);
    this.#pass = password;
    return undefined;
  }

  nick(nick: string): void {
    if (!this.registered) this.#nick = nick.toLowerCase();
  }

  cap(sub: string, list: string): void {
    // Twitch answers every CAP with `*` as the target, registered or not.
    const target = '*';
    switch (sub) {
      case 'LS':
        if (!this.registered) this.#capHeld = true;
        this.#write(serverLine(undefined, 'CAP', [target, 'LS'], CAPABILITIES.join(' ')));
        return;
      case 'REQ': {
        const wanted = list.split(' ').filter((c) => c !== '');
        // All or nothing, as IRCv3 says.
        if (wanted.length > 0 && wanted.every((c) => (CAPABILITIES as readonly string[]).includes(c))) {
          for (const c of wanted) this.#caps.add(c);
          this.#write(serverLine(undefined, 'CAP', [target, 'ACK'], wanted.join(' ')));
        } else {
          this.#write(serverLine(undefined, 'CAP', [target, 'NAK'], list));
        }
        return;
      }
      case 'LIST':
        this.#write(serverLine(undefined, 'CAP', [target, 'LIST'], [...this.#caps].join(' ')));
        return;
      case 'END':
        this.#capHeld = false;
        return;
      default:
        this.#write(serverLine(undefined, '410', [target, sub], 'Invalid CAP command'));
    }
  }

  /** Registers once NICK is known and CAP negotiation (if begun with LS) has ended; a promise while the token is verified. */
  tryRegister(session: IrcSession): Promise<void> | undefined {
    if (this.registered || this.#nick === undefined || this.#capHeld) return undefined;
    this.registered = true;
    return this.#register(this.#nick, session);
  }

  async #register(nick: string, session: IrcSession): Promise<void> {
    if (!NICK.test(nick)) return this.#loginFailed('Invalid NICK', session);
    if (!ANONYMOUS.test(nick)) {
      // Twitch's own words: tmi.js recognises them and stops reconnecting.
      if (this.#pass === undefined) return this.#loginFailed('Improperly formatted auth', session);
      const jwt = jwtFromPassword(this.#pass);
      this.#pass = undefined;
      let signedIn = false;
      if (jwt === undefined) session.refuse(LOGIN, new ChatError('unauthorized', 'not a token'));
      else {
        signedIn = await session.authenticate(jwt, LOGIN, (identity) => {
          if (identity.name.toLowerCase() !== nick) throw new ChatError('unauthorized', 'NICK is not the token\'s name');
        });
      }
      if (!signedIn) {
        session.close('done');
        return;
      }
      this.#directory.note(session.identity!.name, session.identity!.id);
    }
    this.login = nick;
    let burst = serverLine(undefined, '001', [nick], 'Welcome, GLHF!')
      + serverLine(undefined, '002', [nick], `Your host is ${SERVER}`)
      + serverLine(undefined, '003', [nick], 'This server is rather new')
      + serverLine(undefined, '004', [nick], '-')
      + serverLine(undefined, '375', [nick], '-')
      + serverLine(undefined, '372', [nick], 'You are in a maze of twisty passages, all alike.')
      + serverLine(undefined, '376', [nick], '>');
    if (session.identity !== null && this.has('twitch.tv/commands')) burst += globaluserstateLine(userIn(session.identity, ''));
    this.#write(burst);
  }

  #loginFailed(text: string, session: IrcSession): void {
    this.#write(noticeLine('*', undefined, text));
    session.close('done');
  }

  /** A new token for the same user (same `sub`, name = NICK) replaces the identity and its expiry. */
  async #renew(password: string, session: IrcSession): Promise<void> {
    const current = session.identity;
    const jwt = jwtFromPassword(password);
    if (current === null) return session.refuse(RENEW, new ChatError('forbidden', 'an anonymous login cannot sign in; reconnect with PASS and NICK'));
    if (jwt === undefined) return session.refuse(RENEW, new ChatError('unauthorized', 'not a token'));
    const renewed = await session.authenticate(jwt, RENEW, (identity) => {
      if (identity.id !== current.id || identity.name.toLowerCase() !== this.login) throw new ChatError('forbidden', 'the token is for another user');
    });
    if (renewed) this.#write(noticeLine('*', 'token_refreshed', 'Your login token was renewed.'));
  }
}
