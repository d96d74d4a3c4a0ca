// `--pin`: the servers on some cores, the load generator on the others
// (taskset), so the server's CPU figures are its own and not a share of what
// the load generator left. The load generator's workers are forked by this
// process, so pinning this process first makes them inherit its cores.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface CoreSplit {
  /** taskset's list form, for example `0` or `0-1`. */
  server: string;
  load: string;
  serverCores: number;
}

/** The first half of the cores (at least one) for the servers, the rest for the load generator. */
export function splitCores(total = cpus().length): CoreSplit {
  if (total < 2) throw new Error(`--pin needs at least 2 cores, this machine has ${total}`);
  const serverCores = Math.floor(total / 2);
  const range = (from: number, to: number) => (from === to ? `${from}` : `${from}-${to}`);
  return { server: range(0, serverCores - 1), load: range(serverCores, total - 1), serverCores };
}

/** Every thread of `pid` onto `cores`; returns the affinity it had, to restore on a process the bench did not start. */
export function pin(pid: number, cores: string): string {
  const before = /: (\S+)\s*$/.exec(execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8', timeout: 5_000 }))?.[1];
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore', timeout: 5_000 });
  return before ?? '';
}
