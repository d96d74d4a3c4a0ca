import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { stopChild } from './child-process.ts';
import { freePort } from './free-port.ts';
import type { RedisClientType } from '@redis/client';
import { connectRedis } from '../../src/redis/redis-client.ts';

/** The shared Redis every integration test uses (CI and developers run one here). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, so runs in parallel never collide. */
export function uniquePrefix(): string {
  return `chorus-test:${randomUUID()}:`;
}

/**
 * Connects a client for test assertions, or fails with what to do: these
 * tests never skip when Redis is missing.
 */
export async function redisForTests(url = REDIS_URL): Promise<RedisClientType> {
  try {
    // One server, not a cluster: tests use commands of a single connection (SCAN, sendCommand).
    return (await connectRedis({ url, cluster: false, name: 'chorus-test', commandTimeoutMs: 5_000, onError: () => {} })) as RedisClientType;
  } catch (err) {
    throw new Error(`These tests need Redis at ${url} (set TEST_REDIS_URL to use another). Start one with \`redis-server --save '' --appendonly no\`. ${(err as Error).message}`);
  }
}

/** Deletes every key under a test prefix; SCAN in bounded pages. */
export async function deleteKeys(client: RedisClientType, prefix: string): Promise<void> {
  for (let round = 0; round < 1_000; round++) {
    const keys: string[] = [];
    for await (const page of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) keys.push(...page);
    if (keys.length === 0) return;
    await client.del(keys);
  }
}

/** A throwaway redis-server of this test's own, on a free port, with no persistence, so killing it loses everything. */
export class OwnRedis {
  readonly port: number;
  readonly url: string;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts the server (again, on the same port) and resolves once it answers PING. */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}`);
      try {
        const probe = await connectRedis({ url: this.url, cluster: false, name: 'probe', commandTimeoutMs: 500, onError: () => {} });
        await probe.ping();
        probe.destroy();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
  }

  /** SIGSTOP / SIGCONT: Redis hangs with its connections open, as behind a network partition. */
  pause(paused: boolean): void {
    this.#child?.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** SIGKILL: the connections drop at once, as when Redis crashes. */
  async kill(): Promise<void> {
    if (this.#child !== undefined) await stopChild(this.#child, 'SIGKILL');
  }
}
