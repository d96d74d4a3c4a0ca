import type { SendCheck, SendVerdict } from './state.ts';
import { sweepStep } from './sweep.ts';

interface Sender {
  /** Accepted sends still inside the rate window, oldest first; never more than rateMax. */
  sends: number[];
  lastSend: number;
  /** From then on this entry can refuse nothing, so it may be forgotten. */
  expiresAt: number;
}

const SWEEP_STEPS = 2;

/**
 * Slow mode and the sliding-window rate limit, per user per stream. Only
 * accepted sends are recorded. An entry lives only as long as it can still
 * refuse a send (the longer of the rate window and the slow-mode interval),
 * and a sweep step on every check reclaims expired ones, so memory follows
 * the recently active senders, not every sender ever seen.
 */
export class SendWindows {
  readonly #senders = new Map<string, Sender>();

  check({ stream, userId, now, slowSeconds, rateMax, rateWindowMs }: SendCheck): SendVerdict {
    sweepStep(this.#senders, (s) => now >= s.expiresAt, SWEEP_STEPS);
    // Length-prefixed, so no stream/user pair can collide with another.
    const key = `${stream.length}:${stream}${userId}`;
    const found = this.#senders.get(key);
    // An expired entry the sweep has not reached yet must not refuse either.
    const sender = found !== undefined && now < found.expiresAt ? found : undefined;
    const slowMs = slowSeconds * 1000;
    // rateMax < 1 or a non-positive window switch the limit off, as slowSeconds 0 switches slow mode off.
    const limited = rateMax >= 1 && rateWindowMs > 0;
    if (sender !== undefined) {
      const slowWait = sender.lastSend + slowMs - now;
      if (slowMs > 0 && slowWait > 0) return { ok: false, code: 'slow_mode', retryAfterMs: slowWait };
      const { sends } = sender;
      let left = 0;
      while (left < sends.length && now - sends[left]! >= rateWindowMs) left++;
      sends.splice(0, left);
      // The send that must leave the window before another fits (rateMax may have shrunk since).
      if (limited && sends.length >= rateMax) return { ok: false, code: 'rate_limited', retryAfterMs: sends[sends.length - rateMax]! + rateWindowMs - now };
    }
    const entry = sender ?? { sends: [], lastSend: now, expiresAt: now };
    if (limited) {
      entry.sends.push(now);
      if (entry.sends.length > rateMax) entry.sends.splice(0, entry.sends.length - rateMax);
    } else {
      entry.sends.length = 0;
    }
    entry.lastSend = now;
    entry.expiresAt = now + Math.max(limited ? rateWindowMs : 0, slowMs);
    if (entry.expiresAt > now) this.#senders.set(key, entry);
    else this.#senders.delete(key);
    return { ok: true };
  }

  /** How many senders are tracked (for tests and metrics). */
  get size(): number {
    return this.#senders.size;
  }
}
