import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** Sends `signal` to a child that is still running and resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
