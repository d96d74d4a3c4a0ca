// The load-generator processes of one run: viewers spread over them (each
// under the 20,000-file limit) and over loopback source addresses, senders
// in the first one. Every wait is bounded.
import { fork, type ChildProcess } from 'node:child_process';
import { build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { stopChild } from '../../test/support/child-process.ts';
import { portSliceOf } from '../loadgen/source-ports.ts';
import type { ChatGroup, DialectName, LatencyGroup, Layout, StreamTally, WorkerPlan, WorkerReport } from '../loadgen/protocol.ts';
import { LateSeconds, type SecondRow } from '../loadgen/late-seconds.ts';

const WORKER = new URL('../loadgen/load-worker.ts', import.meta.url).pathname;
/** Sockets (viewers and chatters) per load-generator process, well under its 20,000 open files. */
export const SOCKETS_PER_WORKER = 12_000;
/**
 * Sockets per source address. Each worker has its own slice of an address's
 * ports (bench/loadgen/source-ports.ts), so this stays well under a slice
 * even with the most workers a run starts.
 */
const SOCKETS_PER_ADDRESS = 10_000;

export interface FleetPlan {
  dialect: DialectName;
  urls: string[];
  layout: Layout;
  viewers: number;
  /** Viewers connected before the run; the rest join over rampSeconds. */
  initialViewers: number;
  rampSeconds: number;
  churnPerMinute: number;
  recordEvery: number;
  history: number;
  /** Viewers and chatters offer permessage-deflate. */
  deflate: boolean;
  /** Every group's chatters, spread over the workers with their share of each phase's rate. */
  chat: ChatGroup[];
  /** Longest the whole run may take; workers exit by themselves after it. */
  deadlineMs: number;
  /** Report every acknowledged line's id (FleetResult.ackedIds). */
  keepAckedIds?: boolean;
}

interface GroupResult {
  sent: number;
  acked: number;
  ackedBroadcast: number;
  lines: number;
  latency: Histogram;
  toStamp: Histogram;
  fromStamp: Histogram;
  bySecond: SecondRow[];
}

/** Every worker's report summed, with the histograms decoded and merged. */
export interface FleetResult {
  peakConnected: number;
  connectedAtEnd: number;
  recordingViewers: number;
  joins: number;
  /** Bytes the viewers read during the run. */
  bytesReceived: number;
  joinLatency: Histogram;
  ackLatency: Histogram;
  groups: Record<LatencyGroup, GroupResult>;
  streams: Record<string, StreamTally>;
  errors: Record<string, number>;
  closes: Record<string, number>;
  /** Empty unless the plan asked to keep them. */
  ackedIds: string[];
}

export class LoadFleet {
  readonly #workers: ChildProcess[] = [];

  /** The load-generator processes (their CPU is reported beside the server's). */
  pids(): number[] {
    return this.#workers.map((w) => w.pid!);
  }

  /** Starts the workers and resolves once every viewer has connected and joined (or failed to). */
  async connect(plan: FleetPlan, connectTimeoutMs: number): Promise<number> {
    const chatters = plan.chat.reduce((total, g) => total + g.chatters.length, 0);
    const count = Math.max(1, Math.ceil((plan.viewers + chatters) / SOCKETS_PER_WORKER));
    const addresses = Array.from({ length: Math.max(1, Math.ceil((plan.viewers + chatters) / SOCKETS_PER_ADDRESS)) }, (_, i) => `127.0.0.${i + 2}`);
    const connected: Array<Promise<number>> = [];
    let first = 0;
    for (let w = 0; w < count; w++) {
      const viewers = share(plan.viewers, count, w);
      const worker = fork(WORKER, [], { execArgv: ['--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#workers.push(worker);
      const workerPlan: WorkerPlan = {
        dialect: plan.dialect, urls: plan.urls, layout: plan.layout, viewers, firstViewer: first, localAddresses: addresses, ports: portSliceOf(w, count),
        schedule: { initial: share(plan.initialViewers, count, w), rampSeconds: plan.rampSeconds, churnPerMinute: plan.churnPerMinute },
        recordEvery: plan.recordEvery, history: plan.history, deflate: plan.deflate,
        chat: plan.chat.map((group) => shareOfGroup(group, count, w)), deadlineMs: plan.deadlineMs, keepAckedIds: plan.keepAckedIds,
      };
      first += viewers;
      connected.push(this.#next(worker, 'connected', connectTimeoutMs).then((m) => (m as { connected: number }).connected));
      worker.send({ type: 'plan', plan: workerPlan });
    }
    return (await Promise.all(connected)).reduce((a, b) => a + b, 0);
  }

  /** Runs the senders' schedule; resolves when it is over. */
  async run(timeoutMs: number): Promise<void> {
    const sent = this.#workers.map((worker) => this.#next(worker, 'sent', timeoutMs));
    for (const worker of this.#workers) worker.send({ type: 'go' });
    await Promise.all(sent);
  }

  /** Stops every worker and merges their reports. */
  async stop(timeoutMs: number): Promise<FleetResult> {
    const done = this.#workers.map((worker) => this.#next(worker, 'done', timeoutMs).then((m) => (m as { report: WorkerReport }).report));
    for (const worker of this.#workers) worker.send({ type: 'stop' });
    return mergeResults((await Promise.all(done)).map(decoded));
  }

  /** Kills whatever is left (after a failed run). */
  async kill(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => stopChild(worker, 'SIGKILL')));
  }

  #next(worker: ChildProcess, type: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker ${worker.pid}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { type: string }): void => {
        if (message.type !== type) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(message);
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`load worker ${worker.pid} exited with ${code} before "${type}"`));
      });
    });
  }
}

/** Worker w's part of n things spread over count workers. */
function share(n: number, count: number, w: number): number {
  return Math.floor(n / count) + (w < n % count ? 1 : 0);
}

/** Worker w's chatters of a group, with the same share of every phase's rate and active chatters. */
function shareOfGroup(group: ChatGroup, count: number, w: number): ChatGroup {
  const chatters = group.chatters.filter((_, i) => i % count === w);
  const part = chatters.length / Math.max(1, group.chatters.length);
  return {
    ...group,
    chatters,
    phases: group.phases.map((p) => ({ seconds: p.seconds, ratePerSecond: p.ratePerSecond * part, chatters: Math.max(1, Math.round(p.chatters * part)) })),
  };
}

/** One worker's report with its histograms decoded. */
function decoded(r: WorkerReport): FleetResult {
  const group = (g: LatencyGroup): GroupResult => {
    const c = r.groups[g];
    return {
      sent: c.sent, acked: c.acked, ackedBroadcast: c.ackedBroadcast, lines: c.lines,
      latency: decodeFromCompressedBase64(c.latency), toStamp: decodeFromCompressedBase64(c.toStamp), fromStamp: decodeFromCompressedBase64(c.fromStamp),
      bySecond: c.bySecond,
    };
  };
  return {
    peakConnected: r.peakConnected, connectedAtEnd: r.connectedAtEnd, recordingViewers: r.recordingViewers, joins: r.joins,
    joinLatency: decodeFromCompressedBase64(r.joinLatency), ackLatency: decodeFromCompressedBase64(r.ackLatency),
    groups: { cold: group('cold'), hot: group('hot') },
    streams: r.streams, errors: r.errors, closes: r.closes, ackedIds: r.ackedIds, bytesReceived: r.bytesReceived,
  };
}

/** Results summed (several workers, or several fleets): histograms added, tallies kept per stream name. */
export function mergeResults(results: FleetResult[]): FleetResult {
  const sum = (pick: (r: FleetResult) => number): number => results.reduce((total, r) => total + pick(r), 0);
  const tally = (pick: (r: FleetResult) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of results) for (const [key, n] of Object.entries(pick(r))) out[key] = (out[key] ?? 0) + n;
    return out;
  };
  // A new histogram, so the results merged keep their own (the load worker's range).
  const histogram = (pick: (r: FleetResult) => Histogram): Histogram => {
    const merged = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
    for (const r of results) merged.add(pick(r));
    return merged;
  };
  const lateSeconds = (pick: (r: FleetResult) => SecondRow[]): SecondRow[] => {
    const merged = new LateSeconds();
    for (const r of results) merged.add(pick(r));
    return merged.rows();
  };
  const group = (g: LatencyGroup): GroupResult => ({
    sent: sum((r) => r.groups[g].sent),
    acked: sum((r) => r.groups[g].acked),
    ackedBroadcast: sum((r) => r.groups[g].ackedBroadcast),
    lines: sum((r) => r.groups[g].lines),
    latency: histogram((r) => r.groups[g].latency),
    toStamp: histogram((r) => r.groups[g].toStamp),
    fromStamp: histogram((r) => r.groups[g].fromStamp),
    bySecond: lateSeconds((r) => r.groups[g].bySecond),
  });
  const streams: Record<string, StreamTally> = {};
  for (const r of results) {
    for (const [stream, t] of Object.entries(r.streams)) {
      const into = (streams[stream] ??= { connected: 0, joinedSeqSum: 0, leftSpan: 0, maxSeq: 0 });
      into.connected += t.connected;
      into.joinedSeqSum += t.joinedSeqSum;
      into.leftSpan += t.leftSpan;
      into.maxSeq = Math.max(into.maxSeq, t.maxSeq);
    }
  }
  return {
    peakConnected: sum((r) => r.peakConnected),
    connectedAtEnd: sum((r) => r.connectedAtEnd),
    recordingViewers: sum((r) => r.recordingViewers),
    joins: sum((r) => r.joins),
    bytesReceived: sum((r) => r.bytesReceived),
    joinLatency: histogram((r) => r.joinLatency),
    ackLatency: histogram((r) => r.ackLatency),
    groups: { cold: group('cold'), hot: group('hot') },
    streams,
    errors: tally((r) => r.errors),
    closes: tally((r) => r.closes),
    ackedIds: results.flatMap((r) => r.ackedIds),
  };
}
