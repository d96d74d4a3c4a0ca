// What a run measures, started as an operator would and stopped afterwards:
// Chorus (one embedded process, or N cluster gateways on the local Redis and
// Kafka) or a baseline server (bench/baselines/).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICES_DIR, KAFKA_PORT } from '../../scripts/services/defaults.ts';
import { clusterEnv, spawnGateway } from '../../test/support/cluster.ts';
import { REDIS_URL } from '../../test/support/redis.ts';
import { spawnServer, TEST_SECRET, type ChildServer } from '../../test/support/servers.ts';
import { Authenticator } from '../../src/auth/tokens.ts';
import type { DialectName } from '../loadgen/protocol.ts';
import { gatewayFigures, type GatewayFigures } from './gateway-metrics.ts';
import { profileNodeOptions } from './cpu-profile.ts';
import { stopChild } from '../../test/support/child-process.ts';
import { removeDir, tempDir } from '../../test/support/temp-dir.ts';

export interface RunTarget {
  /** `chorus` or the baseline's name. */
  name: string;
  mode: string;
  /** WebSocket URLs viewers connect to, in turn. */
  urls: string[];
  /** Server processes: the gateways (or the baseline), and Redis and Kafka when the target uses them. */
  pids: { gateways: number[]; redis?: number; kafka?: number };
  /** The wire its clients speak. */
  dialect: DialectName;
  /** Chatter i's URL and a token for `name`. */
  chatter(name: string, i: number): Promise<{ url: string; token: string }>;
  /** Server processes that died. */
  crashes(): number;
  /** Chorus only: what its gateways counted (the sends refused `overloaded` by cause, their fan-out delay), read before `stop`. */
  gatewayFigures?(): Promise<GatewayFigures>;
  /** Chorus only: switches a stream's chat delay on (seconds) before the run, as its broadcaster would. */
  setChatDelay?(stream: string, seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The load generator opens up to 12,000 sockets from each of 127.0.0.2,
 * 127.0.0.3, ... (idle-memory up to 15,000 from 127.0.0.1): far over the
 * per-address cap a real deployment wants, so benchmarked servers lift it.
 */
export const LOAD_TEST_FLAGS = ['--max-connections-per-ip', '10000000'] as const;

export interface ChorusRunOptions {
  /** The gateways offer permessage-deflate (--ws-deflate). */
  deflate?: boolean;
  /** Each gateway writes a CPU profile here when it stops (bench/harness/cpu-profile.ts). */
  profileDir?: string;
}

export async function startChorus(mode: 'embedded' | 'cluster', gateways: number, options: ChorusRunOptions = {}): Promise<RunTarget> {
  const flags = [...LOAD_TEST_FLAGS, ...(options.deflate === true ? ['--ws-deflate'] : [])];
  const profiling: Record<string, string> = options.profileDir === undefined ? {} : { NODE_OPTIONS: profileNodeOptions(options.profileDir) };
  const tokens = new Authenticator({ dev: true, jwtSecret: TEST_SECRET, jwksUrl: '', jwtIssuer: '', jwtAudience: '', jwtAllowNoExp: false });
  const dataDir = tempDir('chorus-bench-');
  const started: ChildServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((g) => g.stop()));
    removeDir(dataDir);
    keepLogs(started);
  };
  try {
    if (mode === 'embedded') {
      started.push(await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--irc-port', '-1', '--data-dir', dataDir, ...flags], profiling));
    } else {
      const env = { ...(await clusterEnv()), ...profiling };
      started.push(...(await Promise.all(Array.from({ length: gateways }, () => spawnGateway(env, ['--irc-port', '-1', ...flags])))));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'chorus',
    mode: mode === 'embedded' ? 'embedded' : `cluster, ${gateways} gateway${gateways === 1 ? '' : 's'}`,
    urls: started.map((g) => g.wsUrl),
    pids: { gateways: started.map((g) => g.child.pid!), ...(mode === 'cluster' ? { redis: redisPid(), kafka: kafkaPid() } : {}) },
    dialect: 'chorus',
    // Signed here with the gateways' secret (as an identity provider would), not fetched one by one from the server.
    chatter: async (name, i) => ({ url: started[i % started.length]!.wsUrl, token: (await tokens.issueDevToken(name, {})).token }),
    crashes: () => started.filter((g) => g.child.exitCode !== null || g.child.signalCode !== null).length,
    gatewayFigures: () => gatewayFigures(started.map((g) => g.url)),
    setChatDelay: async (stream, seconds) => {
      const { token } = await tokens.issueDevToken('bench_broadcaster', { [stream]: ['broadcaster'] });
      const res = await fetch(`${started[0]!.url}/api/streams/${stream}/modes`, {
        method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ chatDelaySeconds: seconds }),
      });
      if (!res.ok) throw new Error(`chat delay not set on ${stream}: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}

/** The gateways' logs, for a look after the run: the path is printed. */
export function keepLogs(gateways: ChildServer[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-bench-logs-'));
  gateways.forEach((g, i) => writeFileSync(join(dir, `gateway-${i}.log`), g.output.join('\n') + '\n'));
  console.error(`bench: gateway logs in ${dir}`);
  return dir;
}

const BASELINES: Record<string, { script: string; usesRedis: boolean; dialect: DialectName }> = {
  naive: { script: 'naive-server.ts', usesRedis: true, dialect: 'chorus' },
  socketio: { script: 'socketio-server.ts', usesRedis: true, dialect: 'socketio' },
  raw: { script: 'raw-server.ts', usesRedis: false, dialect: 'chorus' },
};
export const BASELINE_NAMES = Object.keys(BASELINES);

/** A baseline server on a free port; resolves once it listens. */
export async function startBaseline(name: string): Promise<RunTarget> {
  const baseline = BASELINES[name]!;
  const script = new URL(`../baselines/${baseline.script}`, import.meta.url).pathname;
  const child = spawn(process.execPath, [script, '0', REDIS_URL], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline ${name} did not start`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { baseline?: string; port?: number };
      if (entry.baseline === 'listening') {
        clearTimeout(timer);
        resolve(entry.port!);
      }
    });
    child.once('exit', (code) => reject(new Error(`baseline ${name} exited with ${code}`)));
  });
  const url = `ws://127.0.0.1:${port}/ws`;
  return {
    name,
    mode: 'baseline',
    urls: [url],
    pids: { gateways: [child.pid!], ...(baseline.usesRedis ? { redis: redisPid() } : {}) },
    dialect: baseline.dialect,
    chatter: async () => ({ url, token: 'baselines-ignore-auth' }),
    crashes: () => (child.exitCode !== null && child.exitCode !== 0) || child.signalCode !== null ? 1 : 0,
    stop: () => stopChild(child, 'SIGTERM'),
  };
}

function redisPid(): number | undefined {
  const info = execFileSync('redis-cli', ['info', 'server'], { encoding: 'utf8', timeout: 5_000 });
  const match = /process_id:(\d+)/.exec(info);
  return match === null ? undefined : Number(match[1]);
}

function kafkaPid(): number | undefined {
  try {
    return Number(readFileSync(join(SERVICES_DIR, `kafka-${KAFKA_PORT}.pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
}
