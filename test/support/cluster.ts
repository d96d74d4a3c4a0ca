// Gateways in cluster mode for tests: real processes on the shared Redis and
// Kafka, each test run with its own key prefix and topic.
import { ensureKafka, uniqueTopic } from './kafka.ts';
import { REDIS_URL, uniquePrefix } from './redis.ts';
import { closeAtEnd } from './file-end.ts';
import { spawnServer, type ChildServer } from './servers.ts';
import { tempDir } from './temp-dir.ts';

/** The environment that puts a gateway in one test's cluster (the JWT secret is spawnServer's, shared). */
export async function clusterEnv(): Promise<Record<string, string>> {
  const brokers = await ensureKafka();
  return {
    CHORUS_REDIS_URL: REDIS_URL,
    CHORUS_KAFKA_BROKERS: brokers.join(','),
    CHORUS_KAFKA_TOPIC: uniqueTopic('chorus-cluster'),
    CHORUS_KAFKA_PARTITIONS: '3',
    CHORUS_REDIS_KEY_PREFIX: uniquePrefix(),
  };
}

/** `node src/main.ts serve --dev` in cluster mode, on a free port. */
export function spawnGateway(env: Record<string, string>, flags: string[] = []): Promise<ChildServer> {
  return spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', tempDir(), ...flags], env);
}

/** Two gateways of one fresh cluster for the whole file, stopped after its last test. */
export async function gatewayPairForFile(): Promise<[ChildServer, ChildServer]> {
  const env = await clusterEnv();
  const [a, b] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  closeAtEnd('gateways', () => Promise.all([a.stop(), b.stop()]));
  return [a, b];
}
