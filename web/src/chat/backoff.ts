// Reconnect delays: exponential with jitter, so that a server restart does not
// bring every viewer back in the same millisecond.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first): a uniform draw
 * from the upper half of min(maxMs, baseMs * 2^attempt) ("equal jitter"), so
 * the wait grows, never collapses to zero, and spreads clients apart.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The server's `reconnect.afterMs` plus up to as much again, spreading a drain's reconnects. */
export function afterServerHint(afterMs: number, random: () => number = Math.random): number {
  return Math.round(afterMs + random() * Math.max(afterMs, 250));
}
