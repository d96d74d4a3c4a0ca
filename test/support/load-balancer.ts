// A real load balancer for fault tests: HAProxy from Debian, installed here
// if missing (a test that needs it installs it or fails, never skips), run
// in the foreground with scripts/haproxy/chorus.cfg, the config the
// operations guide documents.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from './child-process.ts';
import { freePort } from './free-port.ts';
import { removeDir, tempDir } from './temp-dir.ts';

const TEMPLATE = new URL('../../scripts/haproxy/chorus.cfg', import.meta.url);
const READY_TIMEOUT_MS = 20_000;

export interface LoadBalancer {
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** HAProxy on PATH, installing Debian's package when it is missing. */
export function ensureHaproxy(): void {
  if (onPath('haproxy')) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]): void => {
    execFileSync(sudo[0] ?? args[0]!, sudo.length > 0 ? args : args.slice(1), { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', 'haproxy']);
  if (!onPath('haproxy')) throw new Error('haproxy is not on PATH after apt-get install haproxy');
}

/** HAProxy on a free loopback port in front of gateways on 127.0.0.1; resolves once a request through it is answered. */
export async function startLoadBalancer(backendPorts: number[]): Promise<LoadBalancer> {
  ensureHaproxy();
  const dir = tempDir('chorus-haproxy-');
  const port = await freePort();
  const servers = backendPorts.map((p, i) => `server g${i} 127.0.0.1:${p} check`).join('\n  ');
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, readFileSync(TEMPLATE, 'utf8').replaceAll('{{BIND}}', `127.0.0.1:${port}`).replaceAll('{{SERVERS}}', servers));
  const output: string[] = [];
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopChild(child, 'SIGTERM');
    removeDir(dir);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`haproxy exited with ${child.exitCode}:\n${output.join('')}`);
    }
    const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`haproxy on ${port} did not pass a request within ${READY_TIMEOUT_MS} ms:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, wsUrl: `ws://127.0.0.1:${port}/ws`, close };
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
