import { createHash } from 'node:crypto';
import { foldMessage } from '../moderation/fold.ts';

/**
 * The key unique chat and the duplicate check compare lines by: the text
 * folded as automod folds it (case, accents, look-alikes, leetspeak,
 * punctuation and spacing), so "Hello", "HELLO!!" and "Ｈｅｌｌｏ" are one
 * line; as a short digest, so the stream's memory of recent lines costs a
 * fixed few bytes a line whatever its length.
 */
export function lineKey(text: string): string {
  // Lower-cased first: automod reads a capital I as "i or l", which would tell "FRIEND" from "friend".
  const { units } = foldMessage(text.toLowerCase());
  let folded = '';
  for (const unit of units) folded += String.fromCodePoint(unit);
  return createHash('sha256').update(folded.trim()).digest('base64url').slice(0, 16);
}
