// CPU seconds and peak RSS of server-side processes, read from /proc (Linux).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const SAMPLE_EVERY_MS = 500;

export interface ProcessUsage {
  cpuSeconds: number;
  peakRssBytes: number;
}

/** user+sys CPU seconds of a process so far; undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function rssBytesOf(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Watches a set of processes from `start()` to `stop()`: CPU used in between, and the highest RSS seen. */
export class ProcessWatch {
  readonly #pids: number[];
  readonly #startCpu = new Map<number, number>();
  readonly #peakRss = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(pids: number[]) {
    this.#pids = pids;
  }

  start(): void {
    for (const pid of this.#pids) this.#startCpu.set(pid, cpuSecondsOf(pid) ?? 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), SAMPLE_EVERY_MS);
  }

  stop(): ProcessUsage {
    clearInterval(this.#timer);
    this.#sample();
    let cpuSeconds = 0;
    let peakRssBytes = 0;
    for (const pid of this.#pids) {
      cpuSeconds += (cpuSecondsOf(pid) ?? this.#startCpu.get(pid)!) - this.#startCpu.get(pid)!;
      peakRssBytes += this.#peakRss.get(pid) ?? 0;
    }
    return { cpuSeconds, peakRssBytes };
  }

  #sample(): void {
    for (const pid of this.#pids) {
      const rss = rssBytesOf(pid);
      if (rss !== undefined && rss > (this.#peakRss.get(pid) ?? 0)) this.#peakRss.set(pid, rss);
    }
  }
}
