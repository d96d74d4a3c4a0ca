// The scenarios of ../shared/BENCHMARK.md, as data the harness runs. Each is
// built for a viewer count (its default, or --viewers), so smaller runs keep
// the same shape.
import type { Phase } from '../loadgen/protocol.ts';

export interface Scenario {
  name: string;
  goal: string;
  viewers: number;
  /** Streams the viewers spread over (one, except many-streams). */
  streams: number;
  /** Chatters of the main streams, and the schedule they send on (rates over all main streams). */
  chatters: number;
  phases: Phase[];
  /** A hot stream beside the main ones, timed apart. */
  hot: { viewers: number; chatters: number; ratePerSecond: number } | undefined;
  /** History asked for at join. */
  history: number;
  /** Viewers connected before the schedule starts; the rest join evenly over rampSeconds. */
  initialViewers: number;
  rampSeconds: number;
  /** Fraction of viewers replaced each minute. */
  churnPerMinute: number;
  /** Run again without the hot stream in the same invocation and compare the main streams' p99. */
  control: boolean;
}

// Per-user limits (20 messages per 30 s in one stream, 200 per 30 s over all
// streams, 20 frames/s per connection) are the server's defaults: the
// schedules keep every chatter under them, so what the run measures is chat,
// not refusals.
const base = { streams: 1, hot: undefined, history: 0, rampSeconds: 0, churnPerMinute: 0, control: false };

const BUILDERS: Record<string, (viewers: number | undefined) => Scenario> = {
  steady: (viewers = 1_000) => ({
    ...base, name: 'steady', goal: 'p99 send-to-display <= 100 ms', viewers, initialViewers: viewers,
    chatters: 20, phases: [{ seconds: 60, ratePerSecond: 10, chatters: 20 }],
  }),
  explosion: (viewers = 100_000) => ({
    ...base, name: 'explosion', goal: 'p99 <= 1,000 ms through the burst; delivered fraction >= 0.999; no crash; RSS <= 20 KB per viewer',
    viewers, initialViewers: viewers, chatters: 5_000,
    phases: [
      { seconds: 30, ratePerSecond: 20, chatters: 60 },
      { seconds: 30, ratePerSecond: 2_000, chatters: 5_000 },
      { seconds: 30, ratePerSecond: 20, chatters: 60 },
    ],
  }),
  'many-streams': (viewers = 50_000) => {
    // 25 viewers per stream, each stream at 1 msg/s, from chatters who each send 5 msg/s across their 10 streams.
    const streams = Math.max(1, Math.round(viewers / 25));
    const chatters = Math.max(2, Math.ceil(streams / 5));
    return {
      ...base, name: 'many-streams', goal: "cold streams' p99 within 1.2x of the same run without the hot stream",
      viewers, initialViewers: viewers, streams, chatters,
      phases: [{ seconds: 60, ratePerSecond: streams, chatters }],
      hot: { viewers: 1_000, chatters: 2_000, ratePerSecond: 1_000 },
      control: true,
    };
  },
  'viral-join': (viewers = 50_000) => ({
    ...base, name: 'viral-join', goal: 'every join gets its history; joinHistoryMs p99 <= 250 ms; no refused connection',
    // 1,000 of 50,000 to start with: the same 2 % at any size.
    viewers, initialViewers: Math.max(1, Math.round(viewers * 0.02)), rampSeconds: 60, history: 100,
    chatters: 100, phases: [{ seconds: 60, ratePerSecond: 50, chatters: 100 }],
  }),
  soak: (viewers = 10_000) => ({
    ...base, name: 'soak', goal: 'RSS flat (no growth trend), no error', viewers, initialViewers: viewers, churnPerMinute: 0.01,
    chatters: 20, phases: [{ seconds: 1_800, ratePerSecond: 10, chatters: 20 }],
  }),
};

export const SCENARIO_NAMES = Object.keys(BUILDERS);

export function buildScenario(name: string, viewers: number | undefined, seconds: number | undefined): Scenario | undefined {
  const scenario = BUILDERS[name]?.(viewers);
  if (scenario === undefined || seconds === undefined) return scenario;
  // --seconds shortens (or stretches) every phase and the ramp alike.
  const total = scenario.phases.reduce((sum, p) => sum + p.seconds, 0);
  return {
    ...scenario,
    phases: scenario.phases.map((p) => ({ ...p, seconds: (p.seconds * seconds) / total })),
    rampSeconds: scenario.rampSeconds === 0 ? 0 : seconds,
  };
}

/** The same run without the hot stream (many-streams' control). */
export function withoutHot(scenario: Scenario): Scenario {
  return { ...scenario, hot: undefined, control: false };
}
