// The JSON record of one run (fields as ../shared/BENCHMARK.md names them) and its printed table.
import type { Histogram } from 'hdr-histogram-js';
import type { FleetResult } from './load-fleet.ts';
import type { ProcessUsage } from './process-stats.ts';
import type { Scenario } from './scenarios.ts';

export interface RunFacts {
  scenario: Scenario;
  /** `chorus` or a baseline's name. */
  target: string;
  mode: string;
  gateways: number;
  viewers: number;
  connectedAtStart: number;
  result: FleetResult;
  usage: { gateways: ProcessUsage; redis: ProcessUsage; kafka: ProcessUsage };
  crashes: number;
  /** The schedule's length: rates are per second of it. */
  seconds: number;
  machine: string;
}

export interface BenchRecord {
  scenario: string;
  target: string;
  goal: string;
  date: string;
  machine: string;
  mode: string;
  gateways: number;
  viewers: number;
  connected: number;
  seconds: number;
  offeredPerSec: number;
  acceptedPerSec: number;
  broadcastPerSec: number;
  deliveriesPerSec: number;
  deliveredFraction: number;
  latencyMs: Percentiles;
  recordedLines: number;
  joinHistoryMs: { p50: number; p99: number };
  server: {
    gateways: { cpuSeconds: number; peakRssBytes: number };
    redis: { cpuSeconds: number; peakRssBytes: number };
    kafka: { cpuSeconds: number; peakRssBytes: number };
    rssBytesPerViewer: number;
    deliveriesPerCpuSecond: number;
    /** Counting Redis and Kafka too, when the target uses them. */
    deliveriesPerServerCpuSecond: number;
  };
  errors: Record<string, number>;
  closes: Record<string, number>;
  crashes: number;
  valid: boolean;
  invalidBecause: string[];
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function percentiles(h: Histogram): Percentiles {
  return { p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue };
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function buildRecord(f: RunFacts): BenchRecord {
  const { result, seconds: s } = f;
  const connected = Math.min(f.connectedAtStart, result.peakConnected);
  // Every viewer connected throughout should get every broadcast line.
  const expected = result.ackedBroadcast * connected;
  const invalidBecause: string[] = [];
  if (connected < f.viewers) invalidBecause.push(`${connected} of ${f.viewers} viewers connected`);
  if (f.crashes > 0) invalidBecause.push(`${f.crashes} server process(es) died`);
  if (result.sent === 0) invalidBecause.push('nothing was sent');
  return {
    scenario: f.scenario.name,
    target: f.target,
    goal: f.scenario.goal,
    date: new Date().toISOString(),
    machine: f.machine,
    mode: f.mode,
    gateways: f.gateways,
    viewers: f.viewers,
    connected,
    seconds: round(s),
    offeredPerSec: round(result.sent / s),
    acceptedPerSec: round(result.acked / s),
    broadcastPerSec: round(result.ackedBroadcast / s),
    deliveriesPerSec: Math.round(result.lines / s),
    deliveredFraction: expected === 0 ? 0 : round(result.lines / expected, 5),
    latencyMs: percentiles(result.latency),
    recordedLines: result.latency.totalCount,
    joinHistoryMs: { p50: result.joinLatency.getValueAtPercentile(50), p99: result.joinLatency.getValueAtPercentile(99) },
    server: {
      gateways: f.usage.gateways,
      redis: f.usage.redis,
      kafka: f.usage.kafka,
      rssBytesPerViewer: connected === 0 ? 0 : Math.round(f.usage.gateways.peakRssBytes / connected),
      deliveriesPerCpuSecond: f.usage.gateways.cpuSeconds === 0 ? 0 : Math.round(result.lines / f.usage.gateways.cpuSeconds),
      deliveriesPerServerCpuSecond: Math.round(result.lines / Math.max(0.01, f.usage.gateways.cpuSeconds + f.usage.redis.cpuSeconds + f.usage.kafka.cpuSeconds)),
    },
    errors: result.errors,
    closes: result.closes,
    crashes: f.crashes,
    valid: invalidBecause.length === 0,
    invalidBecause,
  };
}

export function printRecord(r: BenchRecord): void {
  const mb = (bytes: number): string => `${round(bytes / 2 ** 20)} MB`;
  const rows: Array<[string, string]> = [
    ['run', `${r.scenario} against ${r.target} (${r.mode}); goal: ${r.goal}`],
    ['viewers', `${r.connected} of ${r.viewers} connected`],
    ['messages/s', `offered ${r.offeredPerSec}, accepted ${r.acceptedPerSec}, broadcast ${r.broadcastPerSec}`],
    ['deliveries/s', `${r.deliveriesPerSec} (delivered fraction ${r.deliveredFraction})`],
    ['send-to-display', `p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90}, p99 ${r.latencyMs.p99}, p99.9 ${r.latencyMs.p999}, max ${r.latencyMs.max} (${r.recordedLines} lines)`],
    ['join to joined', `p50 ${r.joinHistoryMs.p50} ms, p99 ${r.joinHistoryMs.p99} ms`],
    ['gateways', `${round(r.server.gateways.cpuSeconds)} CPU s, peak RSS ${mb(r.server.gateways.peakRssBytes)} (${r.server.rssBytesPerViewer} B per viewer), ${r.server.deliveriesPerCpuSecond} deliveries per CPU s`],
    ['redis / kafka', `${round(r.server.redis.cpuSeconds)} / ${round(r.server.kafka.cpuSeconds)} CPU s; ${r.server.deliveriesPerServerCpuSecond} deliveries per server CPU s in all`],
    ['errors', `${JSON.stringify(r.errors)}; closes ${JSON.stringify(r.closes)}; crashes ${r.crashes}`],
    ['valid', r.valid ? 'yes' : `NO: ${r.invalidBecause.join('; ')}`],
  ];
  for (const [key, value] of rows) console.log(`${key.padEnd(16)} ${value}`);
}

export interface Comparison {
  baseline: string;
  /** Chorus's deliveries per server CPU-second (Redis and Kafka included) divided by the baseline's. */
  deliveriesPerCpuRatio: number;
  /** Chorus's p99 divided by the baseline's (below 1: Chorus is faster). */
  p99Ratio: number;
}

/** Ratios of one invocation: BENCHMARK.md counts a comparison only when both sides ran in it. */
export function compare(chorus: BenchRecord, baseline: BenchRecord): Comparison {
  return {
    baseline: baseline.target,
    deliveriesPerCpuRatio: round(chorus.server.deliveriesPerServerCpuSecond / Math.max(1, baseline.server.deliveriesPerServerCpuSecond), 2),
    p99Ratio: round(chorus.latencyMs.p99 / Math.max(1, baseline.latencyMs.p99), 2),
  };
}

export function printComparison(c: Comparison): void {
  console.log(`${'vs ' + c.baseline}`.padEnd(16) + ` deliveries per server CPU-second x${c.deliveriesPerCpuRatio}; p99 x${c.p99Ratio}`);
}
