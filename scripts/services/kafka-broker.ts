// A single-node KRaft Kafka broker (broker and controller in one JVM) whose
// jars Maven resolves from Maven Central once and caches. No Docker, no tarball.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { log4jProperties, requireJava, resolveJars } from './maven-jars.ts';
import { claimPidFile, stopPid, waitUntil, writePid } from './processes.ts';

const KAFKA_VERSION = '4.4.0';
const POM = new URL('./kafka-pom.xml', import.meta.url).pathname;

/**
 * A further client listener: clients that connect to `port` are told (in
 * metadata) to reach the broker at `advertisedPort`, where a delaying link
 * (scripts/services/delay-link.ts) forwards to `port`, so every connection
 * they make after the bootstrap crosses the link too.
 */
export interface BrokerListener {
  /** Listener name, upper case (e.g. MIRROR_EU). */
  name: string;
  port: number;
  advertisedPort: number;
}

export interface KafkaBrokerOptions {
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  port: number;
  /** The controller's port; port + 1 unless given. */
  controllerPort?: number;
  listeners?: readonly BrokerListener[];
  /** Most heap the JVM takes (-Xmx); 512 unless given. */
  heapMb?: number;
  /** Further JVM options (before the main class). */
  jvmOptions?: readonly string[];
  /** Further server.properties lines, overriding the defaults below. */
  properties?: Readonly<Record<string, string>>;
  /** Pid file, logs and the broker's data (log.dirs) live here. */
  stateDir: string;
  /** Bounded wait for the first metadata answer. */
  readyTimeoutMs?: number;
}

/** True when a broker on 127.0.0.1:port answers a metadata request. */
export async function kafkaAnswers(port: number, timeoutMs = 2000): Promise<boolean> {
  const admin = new Admin({ clientId: 'chorus-services-probe', bootstrapBrokers: [`127.0.0.1:${port}`], timeout: timeoutMs, retries: 0 });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

/** Returns 'running' when a broker already answers, 'started' when this call started one. */
export async function startKafka(options: KafkaBrokerOptions): Promise<'running' | 'started'> {
  if (await kafkaAnswers(options.port)) return 'running';
  mkdirSync(options.stateDir, { recursive: true });
  if (!claimPidFile(pidFile(options))) {
    // Another caller is starting it (or it is still coming up): wait for that one rather than start a second.
    await waitReady(options, () => undefined);
    return 'running';
  }
  try {
    await launch(options);
  } catch (error) {
    rmSync(pidFile(options), { force: true });
    throw error;
  }
  return 'started';
}

async function launch(options: KafkaBrokerOptions): Promise<void> {
  requireJava('the Kafka broker');
  const lib = resolveJars('kafka', KAFKA_VERSION, POM);
  const dir = join(options.stateDir, `kafka-${options.port}`);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(options, dataDir));
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, log4jProperties(join(dir, 'broker.log')));
  const classpath = `${lib}/*`;
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const clusterId = java(['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid']).trim();
    java(['-cp', classpath, `-Dlog4j2.configurationFile=${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties]);
  }
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const heapMb = options.heapMb ?? 512;
  const child = spawn(
    'java',
    [`-Xms${Math.min(256, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', ...(options.jvmOptions ?? []), `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath, 'kafka.Kafka', properties],
    { detached: true, stdio: ['ignore', out, out] },
  );
  let exit: string | undefined;
  child.once('error', (error) => (exit = `cannot run java (${error.message})`));
  child.once('exit', (code) => (exit = `the broker exited with code ${code}; see ${join(dir, 'broker.log')} and ${join(dir, 'stdout.log')}`));
  if (child.pid !== undefined) writePid(pidFile(options), child.pid);
  child.unref();
  await waitReady(options, () => exit);
}

/** Stops the broker this state directory started; `kill` is SIGKILL at once (a crash), else SIGTERM. */
export function stopKafka(options: KafkaBrokerOptions, kill = false): Promise<boolean> {
  return stopPid(pidFile(options), 30_000, kill ? 'SIGKILL' : 'SIGTERM');
}

function waitReady(options: KafkaBrokerOptions, failed: () => string | undefined): Promise<void> {
  return waitUntil(`kafka on 127.0.0.1:${options.port}`, options.readyTimeoutMs ?? 90_000, () => kafkaAnswers(options.port), failed);
}

function pidFile(options: KafkaBrokerOptions): string {
  return join(options.stateDir, `kafka-${options.port}.pid`);
}

function java(args: string[]): string {
  return execFileSync('java', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function serverProperties(options: KafkaBrokerOptions, dataDir: string): string {
  const { port } = options;
  const controllerPort = options.controllerPort ?? port + 1;
  const extra = options.listeners ?? [];
  const listeners = extra.map((l) => `,${l.name}://127.0.0.1:${l.port}`).join('');
  const advertised = extra.map((l) => `,${l.name}://127.0.0.1:${l.advertisedPort}`).join('');
  const protocols = extra.map((l) => `,${l.name}:PLAINTEXT`).join('');
  return `# Written by scripts/services/kafka-broker.ts: one node, broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${listeners}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}${advertised}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${protocols}
log.dirs=${dataDir}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# A restarted broker waits for its previous session to expire; shorter for a development broker.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
${Object.entries(options.properties ?? {}).map(([key, value]) => `${key}=${value}\n`).join('')}`;
}
