import type { SendCheck, SendVerdict } from './state.ts';
import { sweepStep } from './sweep.ts';

interface Sender {
  /** Accepted sends still inside the rate window, oldest first; never more than the limit. */
  sends: number[];
  lastSend: number;
  /** From then on this entry can refuse nothing, so it may be forgotten. */
  expiresAt: number;
}

// A check may add two entries (the user in the stream, the user over all streams); two sweep steps each.
const SWEEP_STEPS = 4;

/**
 * Slow mode and the sliding-window rate limits: per user per stream, and per
 * user over all streams. Only accepted sends are recorded. An entry lives only
 * as long as it can still refuse a send (the longer of the rate window and
 * the slow-mode interval), and a sweep step on every check reclaims expired
 * ones, so memory follows the recently active senders, not every sender ever
 * seen.
 */
export class SendWindows {
  readonly #senders = new Map<string, Sender>();

  check({ stream, userId, now, slowSeconds, rateMax, rateWindowMs, userRateMax = 0 }: SendCheck): SendVerdict {
    sweepStep(this.#senders, (s) => now >= s.expiresAt, SWEEP_STEPS);
    // Length-prefixed, so no stream/user pair can collide with another; a user's
    // entry over all streams starts with `*`, which no length does.
    const key = `${stream.length}:${stream}${userId}`;
    const userKey = `*${userId}`;
    const sender = this.#live(key, now);
    const user = this.#live(userKey, now);
    const slowMs = slowSeconds * 1000;
    if (sender !== undefined) {
      const slowWait = sender.lastSend + slowMs - now;
      if (slowMs > 0 && slowWait > 0) return { ok: false, code: 'slow_mode', retryAfterMs: slowWait };
    }
    const refusal = rateRefusal(sender, now, rateMax, rateWindowMs) ?? rateRefusal(user, now, userRateMax, rateWindowMs);
    if (refusal !== undefined) return refusal;
    this.#record(key, sender, now, rateMax, rateWindowMs, slowMs);
    this.#record(userKey, user, now, userRateMax, rateWindowMs, 0);
    return { ok: true };
  }

  /** How many entries are tracked (for tests and metrics). */
  get size(): number {
    return this.#senders.size;
  }

  /** The entry under `key`, unless it has expired (the sweep may not have reached it yet). */
  #live(key: string, now: number): Sender | undefined {
    const found = this.#senders.get(key);
    return found !== undefined && now < found.expiresAt ? found : undefined;
  }

  #record(key: string, found: Sender | undefined, now: number, max: number, windowMs: number, slowMs: number): void {
    const entry = found ?? { sends: [], lastSend: now, expiresAt: now };
    const limited = isLimited(max, windowMs);
    if (limited) {
      entry.sends.push(now);
      if (entry.sends.length > max) entry.sends.splice(0, entry.sends.length - max);
    } else {
      entry.sends.length = 0;
    }
    entry.lastSend = now;
    entry.expiresAt = now + Math.max(limited ? windowMs : 0, slowMs);
    if (entry.expiresAt > now) this.#senders.set(key, entry);
    else this.#senders.delete(key);
  }
}

// A max below 1 or a non-positive window switch a limit off, as slowSeconds 0 switches slow mode off.
function isLimited(max: number, windowMs: number): boolean {
  return max >= 1 && windowMs > 0;
}

/** Drops the sends that left the window; refuses when `max` remain (retry when the one that must leave has). */
function rateRefusal(entry: Sender | undefined, now: number, max: number, windowMs: number): SendVerdict | undefined {
  if (entry === undefined || !isLimited(max, windowMs)) return undefined;
  const { sends } = entry;
  let left = 0;
  while (left < sends.length && now - sends[left]! >= windowMs) left++;
  sends.splice(0, left);
  // The send that must leave the window before another fits (max may have shrunk since).
  if (sends.length >= max) return { ok: false, code: 'rate_limited', retryAfterMs: sends[sends.length - max]! + windowMs - now };
  return undefined;
}
