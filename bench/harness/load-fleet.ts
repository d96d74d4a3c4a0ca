// The load-generator processes of one run: viewers spread over them (each
// under the 20,000-file limit) and over loopback source addresses, senders
// in the first one. Every wait is bounded.
import { fork, type ChildProcess } from 'node:child_process';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { stopChild } from '../../test/support/child-process.ts';
import type { Phase, WorkerPlan, WorkerReport } from '../loadgen/protocol.ts';

const WORKER = new URL('../loadgen/load-worker.ts', import.meta.url).pathname;
/** Sockets per load-generator process, well under its 20,000 open files. */
export const VIEWERS_PER_WORKER = 12_000;
/** Connections per source address towards one gateway address, under the ~28,000 ephemeral ports. */
const VIEWERS_PER_ADDRESS = 20_000;

export interface FleetPlan {
  urls: string[];
  stream: string;
  viewers: number;
  recordEvery: number;
  history: number;
  senders: Array<{ url: string; token: string }>;
  phases: Phase[];
  /** Longest the whole run may take; workers exit by themselves after it. */
  deadlineMs: number;
}

/** Every worker's report summed, with the histograms decoded and merged. */
export type FleetResult = Omit<WorkerReport, 'latency' | 'joinLatency'> & { latency: Histogram; joinLatency: Histogram };

export class LoadFleet {
  readonly #workers: ChildProcess[] = [];

  /** Starts the workers and resolves once every viewer has connected and joined (or failed to). */
  async connect(plan: FleetPlan, connectTimeoutMs: number): Promise<number> {
    const count = Math.max(1, Math.ceil(plan.viewers / VIEWERS_PER_WORKER));
    const addresses = Array.from({ length: Math.max(1, Math.ceil(plan.viewers / VIEWERS_PER_ADDRESS)) }, (_, i) => `127.0.0.${i + 2}`);
    const connected: Array<Promise<number>> = [];
    let first = 0;
    for (let w = 0; w < count; w++) {
      const viewers = Math.floor(plan.viewers / count) + (w < plan.viewers % count ? 1 : 0);
      const worker = fork(WORKER, [], { execArgv: ['--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#workers.push(worker);
      const workerPlan: WorkerPlan = {
        urls: plan.urls, stream: plan.stream, viewers, firstViewer: first, localAddresses: addresses,
        recordEvery: plan.recordEvery, history: plan.history,
        senders: w === 0 ? plan.senders : [], phases: plan.phases, deadlineMs: plan.deadlineMs,
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
    return merge(await Promise.all(done));
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

function merge(reports: WorkerReport[]): FleetResult {
  const latency = decodeFromCompressedBase64(reports[0]!.latency);
  const joinLatency = decodeFromCompressedBase64(reports[0]!.joinLatency);
  for (const report of reports.slice(1)) {
    latency.add(decodeFromCompressedBase64(report.latency));
    joinLatency.add(decodeFromCompressedBase64(report.joinLatency));
  }
  const sum = (pick: (r: WorkerReport) => number): number => reports.reduce((total, r) => total + pick(r), 0);
  const tally = (pick: (r: WorkerReport) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of reports) for (const [key, n] of Object.entries(pick(r))) out[key] = (out[key] ?? 0) + n;
    return out;
  };
  return {
    peakConnected: sum((r) => r.peakConnected),
    connectedAtEnd: sum((r) => r.connectedAtEnd),
    lines: sum((r) => r.lines),
    recordingViewers: sum((r) => r.recordingViewers),
    latency, joinLatency,
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    ackedBroadcast: sum((r) => r.ackedBroadcast),
    errors: tally((r) => r.errors),
    closes: tally((r) => r.closes),
  };
}
