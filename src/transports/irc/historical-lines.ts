import type { Message } from '../../protocol/types.ts';
import { chatLine, noticeUsernoticeLine } from './twitch-usernotices.ts';

/**
 * A stored line as the recent-messages service gives it to Chatterino and
 * web chats: the IRC line a client would have received live (PRIVMSG, or
 * USERNOTICE for an announcement or a notice), with `historical=1` and
 * `rm-received-ts` (when it was received, ms) added to its tags, no CR LF.
 */
export function historicalLine(message: Message): string {
  const line = message.notice === undefined ? chatLine(message) : noticeUsernoticeLine(message, message.notice);
  // Every line built for a message opens with its tags, so the new ones go first in that block.
  return `@historical=1;rm-received-ts=${message.ts};${line.slice(1, -2)}`;
}
