// The servers of one run, started as an operator would and stopped afterwards:
// one embedded process, or N cluster gateways on the local Redis and Kafka.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES_DIR, KAFKA_PORT } from '../../scripts/services/defaults.ts';
import { clusterEnv, spawnGateway } from '../../test/support/cluster.ts';
import { spawnServer, type ChildServer } from '../../test/support/servers.ts';
import { removeDir, tempDir } from '../../test/support/temp-dir.ts';

export interface RunServers {
  gateways: ChildServer[];
  /** Pids of Redis and Kafka (cluster mode), measured apart from the gateways. */
  services: { redis?: number; kafka?: number };
  stop(): Promise<void>;
}

export async function startServers(mode: 'embedded' | 'cluster', gateways: number, flags: string[]): Promise<RunServers> {
  const dataDir = tempDir('chorus-bench-');
  const started: ChildServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((g) => g.stop()));
    removeDir(dataDir);
  };
  try {
    if (mode === 'embedded') {
      started.push(await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--irc-port', '-1', '--data-dir', dataDir, ...flags]));
      return { gateways: started, services: {}, stop };
    }
    const env = await clusterEnv();
    started.push(...(await Promise.all(Array.from({ length: gateways }, () => spawnGateway(env, ['--irc-port', '-1', ...flags])))));
    return { gateways: started, services: { redis: redisPid(), kafka: kafkaPid() }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
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
