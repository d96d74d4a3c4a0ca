import type { Identity } from '../auth/identity.ts';
import { KeyedRateLimit } from '../limits/keyed-rate-limit.ts';
import { ChatError } from '../protocol/errors.ts';
import { clientKey } from './client-address.ts';

export interface HistoryReadLimitsOptions {
  /** Most messages one history read returns. */
  replayMax: number;
  /** The same without a token. */
  anonymousReadMax: number;
  /** History reads one client address may make per second without a token (burst of twice that). */
  anonymousReadRate: number;
  /** Client addresses remembered; beyond, the least recently seen starts afresh. */
  maxClients: number;
  now: () => number;
}

/**
 * History reads over HTTP (polling, replay) cost a log read and a JSON page
 * each, and without a token they cost the caller nothing (90 a second from
 * one client lagged the event loop 0.5 s): those are limited per client
 * address and get a smaller page. Signed-in readers are bounded by their
 * accounts and keep the full page.
 */
export class HistoryReadLimits {
  readonly #o: HistoryReadLimitsOptions;
  readonly #anonymous: KeyedRateLimit;

  constructor(options: HistoryReadLimitsOptions) {
    this.#o = options;
    this.#anonymous = new KeyedRateLimit({ burst: options.anonymousReadRate * 2, windowMs: 2_000, maxKeys: options.maxClients });
  }

  /** The largest page this read may have; an anonymous client over its rate is refused with `rate_limited`. */
  pageMax(identity: Identity | null, clientAddress: string): number {
    if (identity !== null) return this.#o.replayMax;
    const waitMs = this.#anonymous.take(clientKey(clientAddress), this.#o.now());
    if (waitMs > 0) {
      throw new ChatError('rate_limited', `too many history reads without a token: at most ${this.#o.anonymousReadRate} a second; sign in or use the WebSocket or SSE`, waitMs);
    }
    return Math.min(this.#o.anonymousReadMax, this.#o.replayMax);
  }
}
