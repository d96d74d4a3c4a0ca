// A throwaway Redis Cluster of this test's own: three masters (no replicas,
// nothing on disk) on free loopback ports, made into one cluster with
// redis-cli, ready once every node reports cluster_state:ok.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from './child-process.ts';
import { freePort } from './free-port.ts';
import { removeDir, tempDir } from './temp-dir.ts';
import { until } from './until.ts';

const READY_TIMEOUT_MS = 30_000;

export class OwnRedisCluster {
  readonly ports: number[];
  readonly #dir: string;
  readonly #children: ChildProcess[];

  private constructor(ports: number[], dir: string, children: ChildProcess[]) {
    this.ports = ports;
    this.#dir = dir;
    this.#children = children;
  }

  /** A URL of one node: a cluster client discovers the others from it. */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}`;
  }

  static async start(masters = 3): Promise<OwnRedisCluster> {
    const dir = tempDir('chorus-redis-cluster-');
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await freePort());
    const children = ports.map((port) =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
    );
    const cluster = new OwnRedisCluster(ports, dir, children);
    try {
      for (const port of ports) await until(() => cli(port, 'ping') === 'PONG', `redis-server on ${port}`, READY_TIMEOUT_MS, 50);
      execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore', timeout: READY_TIMEOUT_MS });
      for (const port of ports) await until(() => cli(port, 'cluster', 'info').includes('cluster_state:ok'), `cluster state ok on ${port}`, READY_TIMEOUT_MS, 50);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#children.map((child) => stopChild(child, 'SIGKILL')));
    removeDir(this.#dir);
  }
}

function cli(port: number, ...args: string[]): string {
  try {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 2_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

