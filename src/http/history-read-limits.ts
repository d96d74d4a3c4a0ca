import { isIPv6 } from 'node:net';
import type { Identity } from '../auth/identity.ts';
import { KeyedRateLimit } from '../gateway/keyed-rate-limit.ts';
import { ChatError } from '../protocol/errors.ts';

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

/**
 * The key a client address is limited under. An IPv6 client is its /64 (what
 * one subscriber line or host gets), else one of them could take a fresh
 * bucket per address; an IPv4-mapped address is the IPv4 address.
 */
export function clientKey(address: string): string {
  if (!isIPv6(address)) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice('::ffff:'.length);
  const gap = lower.indexOf('::');
  const groups = gap === -1 ? lower.split(':') : [...split(lower.slice(0, gap)), ...split(lower.slice(gap + 2))];
  if (gap !== -1) groups.splice(split(lower.slice(0, gap)).length, 0, ...Array<string>(Math.max(0, 8 - groups.length)).fill('0'));
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

function split(part: string): string[] {
  return part === '' ? [] : part.split(':');
}
