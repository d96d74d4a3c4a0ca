// Starts a throwaway Redis when none answers on the port, and stops only that one.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stopPid, waitUntil, writePid } from './processes.ts';

export interface RedisOptions {
  port: number;
  /** Pid file, log and (empty) data directory live here. */
  stateDir: string;
}

/** True when something on 127.0.0.1:port answers PING with PONG. */
export function redisAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Returns 'running' when a Redis already answers, 'started' when this call started one. */
export async function startRedis(options: RedisOptions): Promise<'running' | 'started'> {
  if (await redisAnswers(options.port)) return 'running';
  const dir = join(options.stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, 'redis.log'), 'a');
  // No persistence: this Redis holds only live state for development and tests.
  const child = spawn('redis-server', ['--port', String(options.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  let exit: string | undefined;
  child.once('error', (error) => (exit = `cannot run redis-server (${error.message}); install it with apt-get install redis-server`));
  child.once('exit', (code) => (exit = `redis-server exited with code ${code}; see ${join(dir, 'redis.log')}`));
  if (child.pid !== undefined) writePid(pidFile(options), child.pid);
  child.unref();
  await waitUntil(`redis on 127.0.0.1:${options.port}`, 10_000, () => redisAnswers(options.port), () => exit);
  return 'started';
}

export function stopRedis(options: RedisOptions): Promise<boolean> {
  return stopPid(pidFile(options), 10_000);
}

function pidFile(options: RedisOptions): string {
  return join(options.stateDir, 'redis.pid');
}
