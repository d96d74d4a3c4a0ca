import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface SupervisorOptions {
  workers: number;
  /** Environment added for every worker (e.g. the shared development secret). */
  env: Record<string, string>;
  /** Longest wait for the workers to drain after SIGTERM before they are killed. */
  drainMs: number;
  logger: Logger;
}

// A worker that keeps dying is not restarted forever: more than this many
// crashes in the interval stop the whole server with a non-zero exit.
const RESTART_BUDGET = 10;
const RESTART_INTERVAL_MS = 60_000;
// Time past drainMs for workers to close their sockets and exit.
const EXIT_GRACE_MS = 5_000;

/**
 * `--workers N`: N gateway processes on one machine sharing the listening
 * ports (node:cluster hands each new connection to a worker in turn). They
 * share nothing else; Redis and Kafka make them one cluster, exactly as
 * gateways on different machines. The supervisor restarts a worker that
 * crashes (its viewers reconnect and resume elsewhere), and on SIGTERM or
 * SIGINT passes the signal on, waits for every worker to drain, and exits 0.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const { logger } = options;
  const crashes: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => cluster.fork(options.env);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('every worker has stopped');
        process.exit(exitCode);
      }
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && crashes[0]! < now - RESTART_INTERVAL_MS) crashes.shift();
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    if (crashes.length > RESTART_BUDGET) {
      logger.fatal(`more than ${RESTART_BUDGET} worker crashes in ${RESTART_INTERVAL_MS / 1000} s; stopping`);
      stopAll(1);
      return;
    }
    fork();
  });

  const stopAll = (code: number): void => {
    stopping = true;
    exitCode = code;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, options.drainMs + EXIT_GRACE_MS).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(code);
  };
  const onSignal = (signal: string): void => {
    if (stopping) return;
    logger.info({ signal }, 'stopping every worker');
    stopAll(0);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  for (let i = 0; i < options.workers; i++) fork();
  logger.info({ workers: options.workers }, 'supervising gateway workers');
}
