import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { closeAtEnd } from './file-end.ts';
import { removeDir, tempDir } from './temp-dir.ts';
import { TestClient } from './ws-client.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

export interface TestServer {
  port: number;
  url: string;
  wsUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** The whole server in this process, on a free port, development mode on, with its own data directory. */
export function startTestServer(flags: string[] = [], dataDir = tempDir()): Promise<TestServer & { server: RunningServer }> {
  return startInProcess(['--dev', ...flags], dataDir);
}

/** A test server (`startTestServer`) for the whole file: stopped after its last test, its data directory removed. */
export async function serverForFile(flags: string[] = []): Promise<TestServer & { server: RunningServer }> {
  const server = await startTestServer(flags);
  closeAtEnd('server', async () => {
    await server.stop();
    removeDir(server.dataDir);
  });
  return server;
}

/** The same in production mode: no development tokens, and tokens need `exp` (sign them with TEST_SECRET). */
export function startProductionServer(flags: string[] = [], dataDir = tempDir()): Promise<TestServer & { server: RunningServer }> {
  return startInProcess(flags, dataDir);
}

async function startInProcess(flags: string[], dataDir: string): Promise<TestServer & { server: RunningServer }> {
  const config = loadConfig(['--port', '0', '--irc-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--jwt-secret', TEST_SECRET, ...flags], {});
  const server = await startServer(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return {
    server,
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}/ws`,
    dataDir,
    async stop() {
      await server.shutdown();
    },
  };
}

export interface ChildServer extends TestServer {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

const START_TIMEOUT_MS = 45_000;

/** `node src/main.ts serve` as a separate process, as an operator runs it; resolves once it listens. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'src/main.ts', 'serve', ...args], {
    env: { ...process.env, CHORUS_JWT_SECRET: TEST_SECRET, CHORUS_IRC_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    // Generous: a gateway on a loaded two-core machine (the whole suite runs beside it) takes 10-20 s to load and connect.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('\n')}`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'chorus is listening' && entry.port !== undefined) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output.join('\n')}`)));
  }).catch((err: unknown) => {
    // A server that never became ready must not outlive the caller.
    child.kill('SIGKILL');
    throw err;
  });
  const dataDir = args[args.indexOf('--data-dir') + 1] ?? '';
  return {
    child, exited, output, port, dataDir,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts a server that is expected to refuse to start; resolves to its output. One that starts anyway is stopped and the call fails. */
export async function failedStart(args: string[], env: Record<string, string> = {}): Promise<string> {
  let started: ChildServer;
  try {
    started = await spawnServer(args, env);
  } catch (err) {
    return (err as Error).message;
  }
  await started.stop();
  throw new Error(`the server started although it should not have:\n${started.output.join('\n')}`);
}

/** A development token from the server itself. */
export async function devToken(baseUrl: string, name: string, roles: Record<string, string[]> = {}): Promise<{ token: string; user: { id: string; name: string } }> {
  const res = await fetch(`${baseUrl}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, roles }),
  });
  if (res.status !== 200) throw new Error(`dev token: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; user: { id: string; name: string } };
}

/** A client signed in as `name` (a development token) that has joined `stream`. */
export async function chatter(server: TestServer, name: string, roles: Record<string, string[]>, stream: string): Promise<TestClient> {
  const { token } = await devToken(server.url, name, roles);
  const client = await TestClient.connect(server.wsUrl);
  client.send({ type: 'auth', token });
  await client.next('welcome');
  client.send({ type: 'join', stream });
  await client.next('joined');
  return client;
}

/** A `chatter` with these roles in `stream` (none by default), closed after the file's last test. */
export async function member(server: TestServer, stream: string, name: string, roles: string[] = []): Promise<TestClient> {
  const client = await chatter(server, name, roles.length > 0 ? { [stream]: roles } : {}, stream);
  closeAtEnd('client', () => client.close());
  return client;
}

/** Resolves once the server's /readyz answers 200 (its log consumers have started), bounded by `timeoutMs`. */
export async function waitUntilReady(server: { url: string }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${server.url}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${server.url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
