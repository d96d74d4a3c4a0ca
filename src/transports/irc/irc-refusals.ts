import type { ChatError } from '../../protocol/errors.ts';
import { ShuttingDown, TooManyConnections, TooManyStreams } from '../../session/refusals.ts';
import { refText, sendRefusal } from './twitch-notices.ts';
import { noticeLine, serverLine } from './twitch-lines.ts';

/**
 * What an IRC refusal answers. IRC has no nonce: a refusal is tied to its
 * request by the channel it names and the NOTICE msg-id tmi.js waits for.
 */
export type IrcRef =
  /** A line refused whole: unreadable, or over the line rate. */
  | { kind: 'line' }
  /** A channel name that names no room. */
  | { kind: 'room'; channel: string }
  | { kind: 'join'; channel: string }
  | { kind: 'send'; channel: string }
  | { kind: 'command'; channel: string }
  /** The PASS and NICK of registration. */
  | { kind: 'login' }
  /** A PASS after registration. */
  | { kind: 'renew' };

export const LINE: IrcRef = { kind: 'line' };
export const LOGIN: IrcRef = { kind: 'login' };
export const RENEW: IrcRef = { kind: 'renew' };

/** The one mapping from a refusal to the line that says it over IRC (tagged; `login` is the session's nick or `*`). */
export function ircRefusal(err: ChatError, ref: IrcRef, login: string): string {
  switch (ref.kind) {
    case 'line':
      return err.code === 'rate_limited'
        ? noticeLine('*', 'msg_ratelimit', 'You are sending too many lines; slow down.')
        : serverLine(undefined, '421', [login, '*'], 'Unknown command');
    case 'room':
      return noticeLine(ref.channel, 'msg_room_not_found', 'That room does not exist.');
    case 'join':
      return err instanceof TooManyStreams
        ? noticeLine(ref.channel, 'no_permission', `A connection may be in at most ${err.max} rooms.`)
        : noticeLine(ref.channel, 'msg_unavailable', `The room is unavailable right now${refText(err)}; try again shortly.`);
    case 'send': {
      if (err instanceof ShuttingDown) return noticeLine(ref.channel, 'msg_unavailable', 'This server is shutting down; reconnect.');
      const notice = sendRefusal(err, ref.channel);
      return noticeLine(ref.channel, notice.msgId, notice.text);
    }
    case 'command':
      return noticeLine(ref.channel, 'msg_unavailable', `That command failed${refText(err)}; try again shortly.`);
    case 'login':
      // Twitch's own words: tmi.js recognises them and stops reconnecting.
      return noticeLine('*', undefined, err instanceof TooManyConnections ? 'Too many connections for this user' : 'Login authentication failed');
    case 'renew':
      return noticeLine('*', 'token_refused', `Your new token was refused (${err.message}); the old one holds until it expires.`);
  }
}
