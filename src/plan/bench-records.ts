// The part of a benchmark record (bench/harness/record.ts, written by
// `npm run bench -- --json`) that the capacity plan and the chart read.
// A file holds Chorus's record with, under `compared`, the records of the
// runs measured beside it in the same invocation.

export interface BenchRecordLike {
  scenario: string;
  target: string;
  mode: string;
  gateways: number;
  viewers: number;
  seconds: number;
  acceptedPerSec: number;
  broadcastPerSec: number;
  deliveriesPerSec: number;
  deliveredFraction: number;
  latencyMs: { p99: number };
  valid: boolean;
  server: {
    gateways: { cpuSeconds: number };
    redis: { cpuSeconds: number };
    kafka: { cpuSeconds: number };
    rssBytesPerViewer: number;
    bytesSentPerLine: number;
    deliveriesPerCpuSecond: number;
  };
}

/** Every valid record in the files, the compared runs included. */
export function readRecords(files: unknown[]): BenchRecordLike[] {
  const out: BenchRecordLike[] = [];
  for (const file of files) {
    const record = file as BenchRecordLike & { compared?: Array<{ record: BenchRecordLike }> };
    if (typeof record?.scenario !== 'string' || typeof record.server !== 'object') throw new Error('not a benchmark record (written by npm run bench -- --json)');
    for (const r of [record, ...(record.compared ?? []).map((c) => c.record)]) if (r.valid) out.push(r);
  }
  return out;
}

/** The middle value (the upper one of an even count): figures are quoted as medians of repeated runs. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
