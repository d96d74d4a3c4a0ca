import type { Message } from '../protocol/types.ts';
import { MinuteCounts, type MinuteCount } from './minute-counts.ts';
import { RecentTopChatters, type Chatter } from './top-chatters.ts';

export interface AnalyticsLimits {
  /** Streams tracked at once; the one quiet longest is forgotten first. */
  maxStreams: number;
  /** Minutes of messages-per-minute kept. */
  minutes: number;
  /** Counters of the top-chatters sketch per stream. */
  chatterCounters: number;
  /** Chatters an answer lists. */
  topChatters: number;
}

export interface StreamReport {
  stream: string;
  /** Oldest first, one per minute, ending with the current minute. */
  perMinute: MinuteCount[];
  /** Messages in the last full minute. */
  lastMinute: number;
  /** Heaviest chatters of the last 30 to 60 minutes. */
  topChatters: Chatter[];
}

interface Tracked {
  minutes: MinuteCounts;
  chatters: RecentTopChatters;
  /** The minute this stream last moved to the back of the eviction order. */
  touched: number;
}

const MINUTE_MS = 60_000;
const ANALYTICS_LIMITS: AnalyticsLimits = { maxStreams: 10_000, minutes: 60, chatterCounters: 50, topChatters: 10 };
const CHATTER_PERIOD_MS = 30 * MINUTE_MS;

/**
 * Per-stream analytics built from the analytics consumer group's records:
 * messages per minute and top chatters. Memory is bounded by the number of
 * streams times fixed-size structures. It lives in this process: a restart
 * starts the counts afresh from the group's committed position.
 */
export class StreamAnalytics {
  readonly #limits: AnalyticsLimits;
  readonly #streams = new Map<string, Tracked>();

  constructor(limits: AnalyticsLimits = ANALYTICS_LIMITS) {
    this.#limits = limits;
  }

  record(message: Message): void {
    const minute = Math.floor(message.ts / MINUTE_MS);
    let tracked = this.#streams.get(message.stream);
    if (tracked === undefined) {
      if (this.#streams.size >= this.#limits.maxStreams) this.#streams.delete(this.#streams.keys().next().value!);
      tracked = { minutes: new MinuteCounts(this.#limits.minutes), chatters: new RecentTopChatters(this.#limits.chatterCounters, CHATTER_PERIOD_MS), touched: minute };
      this.#streams.set(message.stream, tracked);
    } else if (minute > tracked.touched) {
      // Map order is eviction order; moving a stream back once a minute keeps it cheap.
      tracked.touched = minute;
      this.#streams.delete(message.stream);
      this.#streams.set(message.stream, tracked);
    }
    tracked.minutes.record(message.ts);
    tracked.chatters.record(message.ts, message.user.id, message.user.name);
  }

  report(stream: string, now: number): StreamReport {
    const tracked = this.#streams.get(stream);
    const minutes = tracked?.minutes ?? new MinuteCounts(this.#limits.minutes);
    return {
      stream,
      perMinute: minutes.series(now),
      lastMinute: minutes.countAt(now - MINUTE_MS),
      topChatters: tracked?.chatters.top(this.#limits.topChatters, now) ?? [],
    };
  }

  /** The `limit` streams with the most messages in the last full minute (for metrics with bounded labels). */
  busiest(limit: number, now: number): Array<{ stream: string; lastMinute: number }> {
    const out: Array<{ stream: string; lastMinute: number }> = [];
    for (const [stream, tracked] of this.#streams) {
      const lastMinute = tracked.minutes.countAt(now - MINUTE_MS);
      if (lastMinute > 0) out.push({ stream, lastMinute });
    }
    return out.sort((a, b) => b.lastMinute - a.lastMinute).slice(0, limit);
  }
}
