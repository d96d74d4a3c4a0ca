// CPU seconds, RSS and bytes written of server-side processes, read from /proc (Linux).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const SAMPLE_EVERY_MS = 500;

export interface ProcessUsage {
  cpuSeconds: number;
  /** The highest sum of the processes' RSS seen at one sample. */
  peakRssBytes: number;
  /** The summed RSS at each sample, for a growth trend. */
  rssSamples: Array<{ atMs: number; bytes: number }>;
  /** Bytes the processes wrote (sockets and files: /proc's wchar). */
  bytesSent: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** user+sys CPU seconds of a process so far; undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function rssBytesOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return match === null ? 0 : Number(match[1]) * 1024;
}

function writtenBytesOf(pid: number): number | undefined {
  const match = /wchar:\s+(\d+)/.exec(read(`/proc/${pid}/io`) ?? '');
  return match === null ? undefined : Number(match[1]);
}

/** Watches a set of processes from `start()` to `stop()`: CPU used and bytes written in between, and RSS over time. */
export class ProcessWatch {
  readonly #pids: number[];
  readonly #startCpu = new Map<number, number>();
  readonly #startWritten = new Map<number, number>();
  readonly #lastCpu = new Map<number, number>();
  readonly #lastWritten = new Map<number, number>();
  readonly #samples: Array<{ atMs: number; bytes: number }> = [];
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(pids: number[]) {
    this.#pids = pids;
  }

  start(): void {
    this.#startedAt = performance.now();
    for (const pid of this.#pids) {
      this.#startCpu.set(pid, cpuSecondsOf(pid) ?? 0);
      this.#startWritten.set(pid, writtenBytesOf(pid) ?? 0);
    }
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), SAMPLE_EVERY_MS);
  }

  stop(): ProcessUsage {
    clearInterval(this.#timer);
    this.#sample();
    let cpuSeconds = 0;
    let bytesSent = 0;
    for (const pid of this.#pids) {
      // A process that died counts up to its last sample.
      cpuSeconds += (this.#lastCpu.get(pid) ?? this.#startCpu.get(pid)!) - this.#startCpu.get(pid)!;
      bytesSent += (this.#lastWritten.get(pid) ?? this.#startWritten.get(pid)!) - this.#startWritten.get(pid)!;
    }
    const peakRssBytes = this.#samples.reduce((peak, s) => Math.max(peak, s.bytes), 0);
    return { cpuSeconds, peakRssBytes, rssSamples: this.#samples, bytesSent };
  }

  #sample(): void {
    let bytes = 0;
    for (const pid of this.#pids) {
      bytes += rssBytesOf(pid);
      const cpu = cpuSecondsOf(pid);
      if (cpu !== undefined) this.#lastCpu.set(pid, cpu);
      const written = writtenBytesOf(pid);
      if (written !== undefined) this.#lastWritten.set(pid, written);
    }
    this.#samples.push({ atMs: performance.now() - this.#startedAt, bytes });
  }
}
