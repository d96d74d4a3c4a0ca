import type { Identity } from '../auth/identity.ts';
import { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import { ChatError } from '../protocol/errors.ts';

export interface ModeratorRateLimitOptions {
  /** Writes one user may make per `windowMs` (a token bucket: at most this many at once). */
  actions: number;
  windowMs: number;
  /** Users remembered; beyond, the least recently seen starts afresh. */
  maxUsers: number;
  now: () => number;
}

/**
 * Moderator writes per acting user, whatever the stream or transport: every
 * ban, timeout, unban, delete, mode and rules change, held-message decision
 * and role change passes here before any other work, so a script with a
 * moderator's token cannot hammer the state store and the bus (2,000 bans in
 * 2.3 s before this). It counts on this gateway only: see docs/decisions.md.
 */
export class ModeratorRateLimit {
  readonly #o: ModeratorRateLimitOptions;
  readonly #buckets: KeyedRateLimit;

  constructor(options: ModeratorRateLimitOptions) {
    this.#o = options;
    this.#buckets = new KeyedRateLimit({ burst: options.actions, windowMs: options.windowMs, maxKeys: options.maxUsers });
  }

  /** Counts one write by `identity`; `rate_limited` beyond the limit. Anonymous callers pass: authorization refuses them. */
  check(identity: Identity | null): void {
    if (identity === null) return;
    const waitMs = this.#buckets.take(identity.id, this.#o.now());
    if (waitMs > 0) {
      throw new ChatError('rate_limited', `too many moderator actions: at most ${this.#o.actions} per ${this.#o.windowMs / 1000} s`, waitMs);
    }
  }
}
