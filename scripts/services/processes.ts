// Pid files and bounded waits shared by the services `npm run services` runs.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in a pid file whose process still runs, else undefined (a stale file is removed). */
export function runningPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

/**
 * Claims a pid file for a start about to happen (holding this process's pid
 * until the service's own replaces it); false when another live process holds
 * it, so two concurrent starts never launch two copies.
 */
export function claimPidFile(pidFile: string): boolean {
  if (runningPid(pidFile) !== undefined) return false;
  try {
    writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

export function writePid(pidFile: string, pid: number): void {
  writeFileSync(pidFile, `${pid}\n`);
}

/** Polls `ready` every 200 ms until it says yes; fails after `timeoutMs` or as soon as `failed` says why. */
export async function waitUntil(what: string, timeoutMs: number, ready: () => Promise<boolean>, failed: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    const reason = failed();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; removes the pid file. */
export async function stopPid(pidFile: string, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}
