import type { Logger } from 'pino';
import type { Identity } from '../auth/identity.ts';
import { backendError } from '../chat/backend-error.ts';
import { ChatError } from '../protocol/errors.ts';
import type { StateStore } from '../state/state.ts';
import { ReportQueueFull, type Report, type ReportQueue } from './report-queue.ts';

export interface ReportLimits {
  /** Reports one user may file per window, across all streams. */
  reportRateLimit: number;
  reportRateWindowMs: number;
}

// The rate window is kept by the state store, under a key no stream can have
// (stream names are [A-Za-z0-9_-]), so in cluster mode the limit is shared by
// every gateway, like the send rate limit.
const RATE_KEY = '#reports';
const FULL_RETRY_MS = 60_000;

/** Viewers' reports on their way to the queue: signed in, rate limited per user, refused (not queued without bound) when the queue is full. */
export class ReportIntake {
  readonly #queue: ReportQueue;
  readonly #state: StateStore;
  readonly #limits: ReportLimits;
  readonly #now: () => number;
  readonly #logger: Logger;

  constructor(queue: ReportQueue, state: StateStore, limits: ReportLimits, now: () => number, logger: Logger) {
    this.#queue = queue;
    this.#state = state;
    this.#limits = limits;
    this.#now = now;
    this.#logger = logger;
  }

  async report(identity: Identity | null, stream: string, messageId: string, reason: string): Promise<Report> {
    if (identity === null) throw new ChatError('unauthorized', 'sign in to report a message');
    const now = this.#now();
    const verdict = await this.#state.checkSend({
      stream: RATE_KEY,
      userId: identity.id,
      now,
      slowSeconds: 0,
      rateMax: this.#limits.reportRateLimit,
      rateWindowMs: this.#limits.reportRateWindowMs,
    });
    if (!verdict.ok) throw new ChatError('rate_limited', 'too many reports; try again later', verdict.retryAfterMs);
    try {
      return await this.#queue.add({ stream, messageId, reason, reporter: { id: identity.id, name: identity.name }, ts: now });
    } catch (err) {
      if (err instanceof ReportQueueFull) throw new ChatError('overloaded', 'too many reports are waiting; try again later', FULL_RETRY_MS);
      throw backendError(this.#logger, err, { stream, queue: 'reports' });
    }
  }
}
