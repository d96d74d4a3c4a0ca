import type { Message } from '../protocol/types.ts';

/** What a classifier says about one delivered message; `reason` is for logs, never shown to viewers. */
export interface ClassifierVerdict {
  flag: boolean;
  reason?: string;
}

/**
 * A pluggable asynchronous check of a message after delivery (lifecycle step
 * 9): a platform's ML service behind a webhook, a term list, or anything
 * else. `signal` aborts when the check's time is up; a classifier that
 * throws or runs out of time counts as an error, never as a flag.
 */
export type Classifier = (message: Message, signal: AbortSignal) => Promise<ClassifierVerdict>;

/** Several classifiers as one: flagged if any flags, asked in order, stopping at the first flag. */
export function anyOf(classifiers: readonly Classifier[]): Classifier {
  if (classifiers.length === 1) return classifiers[0]!;
  return async (message, signal) => {
    for (const classify of classifiers) {
      const verdict = await classify(message, signal);
      if (verdict.flag) return verdict;
    }
    return { flag: false };
  };
}
