#!/usr/bin/env -S node --min-semi-space-size=64 --max-semi-space-size=64
import cluster from 'node:cluster';
import { pino } from 'pino';
import { LogFloodGuard } from './observability/log-flood-guard.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { settingsHelp } from './config/reference.ts';
import { signingSecret } from './auth/dev-secret.ts';
import { missingNodeFlags } from './process/node-flags.ts';
import { startedByPackageManager, stopWithLauncher } from './process/launcher-watch.ts';
import { startServer } from './server.ts';
import { superviseWorkers } from './process/worker-supervisor.ts';
import { PLAN_USAGE, runPlan } from './plan/plan-command.ts';

const LOG_FLOOD_WINDOW_MS = 1_000;

const USAGE = `usage: chorus serve [--flag value ...]
       ${PLAN_USAGE.replace('usage: ', '')}

A flag wins over its environment variable, which wins over the JSON file
(--config or CHORUS_CONFIG), which wins over the default. The settings (also
in the README's configuration table):`;

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === 'help' || (command === 'serve' && (rest.includes('--help') || rest.includes('-h')))) {
    console.log(`${USAGE}\n\n${settingsHelp()}`);
    return;
  }
  if (command === 'plan') {
    try {
      process.exit(runPlan(rest));
    } catch (err) {
      console.error(`chorus plan: ${err instanceof Error ? err.message : err}\n${PLAN_USAGE}`);
      process.exit(2);
    }
  }
  if (command !== 'serve') {
    console.error(`unknown command "${command}"\n${USAGE}`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig(rest, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`chorus: ${err.message}`);
    process.exit(2);
  }
  // An outage fails every send at once: each kind of error is logged in full once a second, the rest summed up.
  const floodGuard = new LogFloodGuard({ windowMs: LOG_FLOOD_WINDOW_MS });
  const logger = pino({ level: config.logLevel, redact: ['jwtSecret', 'adminToken'], hooks: { logMethod: floodGuard.logMethod } });
  const missingFlags = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missingFlags.length > 0) logger.warn({ missingFlags }, 'node was started without the recommended flags: memory creeps up for the first half hour (docs/operations.md)');
  if (startedByPackageManager(process.env)) stopWithLauncher();
  if (config.workers > 1 && cluster.isPrimary) {
    // Development tokens must verify on every worker: they share the data directory's secret.
    const env: Record<string, string> = config.dev && config.jwtSecret === '' ? { CHORUS_JWT_SECRET: signingSecret(config) } : {};
    superviseWorkers({ workers: config.workers, env, drainMs: config.drainMs, logger });
    return;
  }
  const server = await startServer(config, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.shutdown()
      .then(
        () => 0,
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          return 1;
        },
      )
      .then((code) => {
        floodGuard.flush();
        process.exit(code);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err) => {
  console.error('chorus: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
