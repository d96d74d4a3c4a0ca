// The JSON record of one run (fields as ../shared/BENCHMARK.md names them) and its printed table.
import type { Histogram } from 'hdr-histogram-js';
import type { FleetResult } from './load-fleet.ts';
import type { ProcessUsage } from './process-stats.ts';
import type { Scenario } from './scenarios.ts';
import { LATE_MS, secondsOfRun, type RunSecond } from '../loadgen/late-seconds.ts';
import { formatProfileSummary, type ProfileSummary } from './cpu-profile.ts';
import { atMostText, type GatewayFigures, type ServerFanoutDelay } from './gateway-metrics.ts';

export interface RunFacts {
  scenario: Scenario;
  /** `chorus` or a baseline's name. */
  target: string;
  mode: string;
  gateways: number;
  result: FleetResult;
  usage: { gateways: ProcessUsage; redis: ProcessUsage; kafka: ProcessUsage; loadgen: ProcessUsage };
  crashes: number;
  /** Chorus only: what its gateways counted (`overloaded` refusals by cause, their own fan-out delay). */
  gatewaysSaw?: GatewayFigures;
  /** The schedule's length: rates are per second of it. */
  seconds: number;
  machine: string;
  deflate: boolean;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

interface GroupFigures {
  offeredPerSec: number;
  acceptedPerSec: number;
  broadcastPerSec: number;
  deliveriesPerSec: number;
  deliveredFraction: number;
  latencyMs: Percentiles;
  /**
   * The same lines split at the server's stamp (the line's `ts`): the send
   * path before it (the sender's socket, validation, limits, stamping) and
   * the fan-out after it (bus, flush window, writes, the viewer's socket).
   * Absent on a wire whose lines carry no stamp.
   */
  latencySplitMs?: { sendToStamp: Summary; stampToDisplay: Summary };
  recordedLines: number;
  /**
   * The recorded lines per second of their sending, from the run's first
   * (late: over a second from send to display): whether the slow lines came
   * from a burst's first seconds or from all of it.
   */
  latencyBySecond: RunSecond[];
}

type Summary = { p50: number; p99: number; max: number };

type Usage = ProcessUsage & { rssSlopeMBPerHour: number };

export interface BenchRecord extends GroupFigures {
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
  /** The hot stream of many-streams, apart from the main streams the other figures describe. */
  hot?: GroupFigures;
  joins: number;
  joinHistoryMs: { p50: number; p99: number; max: number };
  /** Send to ack as the chatters saw it (ingest, including the durable write). */
  ackMs: { p50: number; p99: number; max: number };
  server: {
    gateways: Usage;
    redis: Usage;
    kafka: Usage;
    rssBytesPerViewer: number;
    bytesSentPerLine: number;
    deliveriesPerCpuSecond: number;
    /** Counting Redis and Kafka too, when the target uses them. */
    deliveriesPerServerCpuSecond: number;
  };
  /** The load generator shares the machine: its CPU says how much was left for the server. */
  loadgenCpuSeconds: number;
  /** Whether the viewers offered permessage-deflate (bench --deflate), and what they read per line received. */
  deflate: boolean;
  bytesReceivedPerLine: number;
  errors: Record<string, number>;
  /** Chorus only: which limit refused the sends counted `overloaded` in `errors` (the gateways' metrics). */
  overloadedShedBy?: Record<string, number>;
  /** Chorus only: the gateways' own fan-out delay (per flush, its oldest line from stamp to written to every viewer), beside the viewers' stamp-to-display. */
  serverFanoutDelay?: ServerFanoutDelay;
  /** Chorus with --profile: where its gateways' CPU time went. */
  profile?: ProfileSummary;
  closes: Record<string, number>;
  crashes: number;
  valid: boolean;
  invalidBecause: string[];
}

function percentiles(h: Histogram): Percentiles {
  return { p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue };
}

const summary = (h: Histogram): Summary => ({ p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue });

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Lines a group's viewers should have received: for each stream, the seqs
 * each viewer was there for (join to leave, or to the newest seq), times the
 * share of accepted messages that were broadcast (sampling leaves the rest out).
 */
function expectedLines(f: RunFacts, group: 'cold' | 'hot'): number {
  const g = f.result.groups[group];
  const broadcastShare = g.acked === 0 ? 1 : g.ackedBroadcast / g.acked;
  const hotStream = f.scenario.hot === undefined ? undefined : 'hot';
  let span = 0;
  for (const [stream, t] of Object.entries(f.result.streams)) {
    if ((stream === hotStream) !== (group === 'hot')) continue;
    span += t.connected * t.maxSeq - t.joinedSeqSum + t.leftSpan;
  }
  return span * broadcastShare;
}

function groupFigures(f: RunFacts, group: 'cold' | 'hot'): GroupFigures {
  const g = f.result.groups[group];
  const s = f.seconds;
  const expected = expectedLines(f, group);
  return {
    offeredPerSec: round(g.sent / s),
    acceptedPerSec: round(g.acked / s),
    broadcastPerSec: round(g.ackedBroadcast / s),
    deliveriesPerSec: Math.round(g.lines / s),
    deliveredFraction: expected === 0 ? 0 : round(g.lines / expected, 5),
    latencyMs: percentiles(g.latency),
    ...(g.toStamp.totalCount === 0 ? {} : { latencySplitMs: { sendToStamp: summary(g.toStamp), stampToDisplay: summary(g.fromStamp) } }),
    recordedLines: g.latency.totalCount,
    latencyBySecond: secondsOfRun(g.bySecond),
  };
}

export function buildRecord(f: RunFacts): BenchRecord {
  const { result, scenario } = f;
  const viewers = scenario.viewers + (scenario.hot?.viewers ?? 0);
  const connected = result.peakConnected;
  const invalidBecause: string[] = [];
  if (connected < viewers) invalidBecause.push(`${connected} of ${viewers} viewers connected`);
  if (result.joins < viewers) invalidBecause.push(`${result.joins} of ${viewers} joins answered`);
  if (f.crashes > 0) invalidBecause.push(`${f.crashes} server process(es) died`);
  if (result.groups.cold.sent === 0) invalidBecause.push('nothing was sent');
  const lines = result.groups.cold.lines + result.groups.hot.lines;
  const cpu = f.usage.gateways.cpuSeconds;
  const serverCpu = cpu + f.usage.redis.cpuSeconds + f.usage.kafka.cpuSeconds;
  return {
    scenario: scenario.name,
    target: f.target,
    goal: scenario.goal,
    date: new Date().toISOString(),
    machine: f.machine,
    mode: f.mode,
    gateways: f.gateways,
    viewers,
    connected,
    seconds: round(f.seconds),
    ...groupFigures(f, 'cold'),
    ...(scenario.hot === undefined ? {} : { hot: groupFigures(f, 'hot') }),
    joins: result.joins,
    joinHistoryMs: summary(result.joinLatency),
    ackMs: summary(result.ackLatency),
    server: {
      gateways: withSlope(f.usage.gateways),
      redis: withSlope(f.usage.redis),
      kafka: withSlope(f.usage.kafka),
      rssBytesPerViewer: connected === 0 ? 0 : Math.round(f.usage.gateways.peakRssBytes / connected),
      bytesSentPerLine: lines === 0 ? 0 : Math.round(f.usage.gateways.bytesSent / lines),
      deliveriesPerCpuSecond: cpu === 0 ? 0 : Math.round(lines / cpu),
      deliveriesPerServerCpuSecond: Math.round(lines / Math.max(0.01, serverCpu)),
    },
    loadgenCpuSeconds: round(f.usage.loadgen.cpuSeconds),
    deflate: f.deflate,
    bytesReceivedPerLine: lines === 0 ? 0 : Math.round(result.bytesReceived / lines),
    errors: result.errors,
    ...(f.gatewaysSaw === undefined ? {} : { overloadedShedBy: f.gatewaysSaw.shedBy, serverFanoutDelay: f.gatewaysSaw.fanoutDelay }),
    closes: result.closes,
    crashes: f.crashes,
    valid: invalidBecause.length === 0,
    invalidBecause,
  };
}

/** RSS growth over the run, by a least-squares line through the samples after the first tenth (warm-up). */
function withSlope(usage: ProcessUsage): Usage {
  const samples = usage.rssSamples.slice(Math.floor(usage.rssSamples.length / 10));
  let slope = 0;
  if (samples.length >= 2) {
    const n = samples.length;
    const mt = samples.reduce((a, s) => a + s.atMs, 0) / n;
    const mr = samples.reduce((a, s) => a + s.bytes, 0) / n;
    let num = 0;
    let den = 0;
    for (const s of samples) {
      num += (s.atMs - mt) * (s.bytes - mr);
      den += (s.atMs - mt) ** 2;
    }
    slope = den === 0 ? 0 : num / den; // bytes per ms
  }
  return { ...usage, rssSamples: [], rssSlopeMBPerHour: round((slope * 3_600_000) / 2 ** 20) };
}

export function printRecord(r: BenchRecord): void {
  const mb = (bytes: number): string => `${round(bytes / 2 ** 20)} MB`;
  const figures = (g: GroupFigures): Array<[string, string]> => [
    ['messages/s', `offered ${g.offeredPerSec}, accepted ${g.acceptedPerSec}, broadcast ${g.broadcastPerSec}`],
    ['deliveries/s', `${g.deliveriesPerSec} (delivered fraction ${g.deliveredFraction})`],
    ['send-to-display', `p50 ${g.latencyMs.p50} ms, p90 ${g.latencyMs.p90}, p99 ${g.latencyMs.p99}, p99.9 ${g.latencyMs.p999}, max ${g.latencyMs.max} (${g.recordedLines} lines)`],
    ...(g.latencySplitMs === undefined ? [] : [['  split at stamp', splitText(g.latencySplitMs)] as [string, string]]),
    ...(g.latencyBySecond.some((s) => s.late > 0) ? [['  late by second', lateText(g.latencyBySecond)] as [string, string]] : []),
  ];
  const rows: Array<[string, string]> = [
    ['run', `${r.scenario} against ${r.target} (${r.mode}); goal: ${r.goal}`],
    ['viewers', `${r.connected} of ${r.viewers} connected at the peak`],
    ...figures(r),
    ...(r.hot === undefined ? [] : figures(r.hot).map(([k, v]): [string, string] => [`hot ${k}`, v])),
    ['send to ack', `p50 ${r.ackMs.p50} ms, p99 ${r.ackMs.p99} ms, max ${r.ackMs.max}`],
    ['join to joined', `p50 ${r.joinHistoryMs.p50} ms, p99 ${r.joinHistoryMs.p99} ms, max ${r.joinHistoryMs.max} (${r.joins} joins)`],
    ['gateways', `${round(r.server.gateways.cpuSeconds)} CPU s, peak RSS ${mb(r.server.gateways.peakRssBytes)} (${r.server.rssBytesPerViewer} B per viewer, trend ${r.server.gateways.rssSlopeMBPerHour} MB/h), ${r.server.deliveriesPerCpuSecond} deliveries per CPU s, ${r.server.bytesSentPerLine} B sent per line`],
    ['redis / kafka', `${round(r.server.redis.cpuSeconds)} / ${round(r.server.kafka.cpuSeconds)} CPU s; ${r.server.deliveriesPerServerCpuSecond} deliveries per server CPU s in all`],
    ['load generator', `${r.loadgenCpuSeconds} CPU s, ${r.bytesReceivedPerLine} B received per line${r.deflate ? ' (permessage-deflate offered)' : ''}`],
    ...(r.serverFanoutDelay === undefined ? [] : [['gateway fan-out', fanoutDelayText(r.serverFanoutDelay)] as [string, string]]),
    ['errors', `${JSON.stringify(r.errors)}${r.overloadedShedBy === undefined ? '' : ` (overloaded shed by ${JSON.stringify(r.overloadedShedBy)})`}; closes ${JSON.stringify(r.closes)}; crashes ${r.crashes}`],
    ['valid', r.valid ? 'yes' : `NO: ${r.invalidBecause.join('; ')}`],
  ];
  for (const [key, value] of rows) console.log(`${key.padEnd(20)} ${value}`);
  if (r.profile !== undefined) console.log(formatProfileSummary(r.profile));
}

function fanoutDelayText({ flushes, p50AtMostMs, p99AtMostMs }: ServerFanoutDelay): string {
  return `per flush, its oldest line from stamp to written to every viewer: p50 ${atMostText(p50AtMostMs)}, p99 ${atMostText(p99AtMostMs)} (${flushes} flushes)`;
}

function splitText({ sendToStamp: a, stampToDisplay: b }: NonNullable<GroupFigures['latencySplitMs']>): string {
  return `send to stamp p50 ${a.p50} ms, p99 ${a.p99}; stamp to display p50 ${b.p50} ms, p99 ${b.p99}`;
}

export interface Comparison {
  against: string;
  /** Chorus's deliveries per server CPU-second (Redis and Kafka included) divided by the other run's. */
  deliveriesPerCpuRatio: number;
  /** Chorus's p99 divided by the other run's (below 1: Chorus is faster). */
  p99Ratio: number;
}

/** Ratios of one invocation: BENCHMARK.md counts a comparison only when both sides ran in it. */
export function compare(chorus: BenchRecord, other: BenchRecord, against = other.target): Comparison {
  return {
    against,
    deliveriesPerCpuRatio: round(chorus.server.deliveriesPerServerCpuSecond / Math.max(1, other.server.deliveriesPerServerCpuSecond), 2),
    p99Ratio: round(chorus.latencyMs.p99 / Math.max(1, other.latencyMs.p99), 2),
  };
}

export function printComparison(c: Comparison): void {
  console.log(`vs ${c.against}`.padEnd(20) + ` deliveries per server CPU-second x${c.deliveriesPerCpuRatio}; p99 x${c.p99Ratio}`);
}

/** Which seconds of sending had late lines: the span, and the worst second's share and slowest line. */
function lateText(seconds: readonly RunSecond[]): string {
  const late = seconds.filter((s) => s.late > 0);
  const worst = late.reduce((a, b) => (b.late / b.lines > a.late / a.lines ? b : a));
  const lateLines = late.reduce((n, s) => n + s.late, 0);
  return `${lateLines} lines over ${LATE_MS} ms, sent in seconds ${late[0]!.second}-${late[late.length - 1]!.second} of ${seconds.length} (${late.length} seconds with any); worst second ${worst.second}: ${Math.round((100 * worst.late) / worst.lines)} % late, slowest ${worst.maxMs} ms`;
}
