import { ChatError } from '../protocol/errors.ts';
import { MAX_REPLY_EXCERPT } from '../protocol/schemas.ts';
import type { Message, ReplyParent } from '../protocol/types.ts';

/** What a reply carries of its parent: who wrote it, the start of its text, and the thread it belongs to. */
export function replyTo(parent: Message): ReplyParent {
  const user = { id: parent.user.id, name: parent.user.name };
  return { id: parent.id, user, text: excerpt(parent.text, MAX_REPLY_EXCERPT), thread: parent.reply?.thread ?? { id: parent.id, user } };
}

/** At most `max` code points; a cut text ends with an ellipsis, within the bound. */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max - 1).join('') + '…';
}

/** A reply whose parent is not a displayable line of the stream: `invalid`, told apart over IRC (msg-id invalid_parent). */
export class MissingParent extends ChatError {
  constructor() {
    super('invalid', 'the line you reply to is not in this chat (deleted, or never here)');
  }
}
