import type { Classifier } from './classifier.ts';
import { TermMatcher } from './term-matcher.ts';

/**
 * Flags messages containing any of `terms` after delivery, with the same
 * matching as automod's blocked terms (look-alikes, leetspeak, spacing).
 * For terms a platform would rather remove than refuse up front: the line
 * shows, then vanishes, and the sender is not told which word did it.
 */
export function termsClassifier(terms: readonly string[]): Classifier {
  const matcher = new TermMatcher(terms);
  return async (message) => (matcher.test(message.text) ? { flag: true, reason: 'flagged term' } : { flag: false });
}
