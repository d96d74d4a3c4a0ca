// MirrorMaker 2 (org.apache.kafka:connect-mirror from Maven Central) in its
// dedicated mode, from a generated connect-mirror-maker.properties.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log4jProperties, requireJava, resolveJars } from './maven-jars.ts';
import { claimPidFile, runningPid, stopPid, waitUntil, writePid } from './processes.ts';

/** 4.4.0 is not served by the Maven Central these machines reach (docs/decisions.md). */
const MIRROR_VERSION = '4.3.1';
const POM = new URL('./mirror-pom.xml', import.meta.url).pathname;

export interface MirrorFlow {
  source: string;
  target: string;
  /** Where this flow's source clients connect instead of the source cluster's address (its delayed link). */
  sourceBrokers?: string;
}

export interface MirrorMakerOptions {
  /** Names the process's pid file and directory (several may run side by side). */
  name: string;
  /** Each cluster by alias, as this MirrorMaker reaches it. */
  clusters: Record<string, string>;
  flows: readonly MirrorFlow[];
  /** Regular expression of the source topics every flow replicates (as `<source>.<topic>`). */
  topics: string;
  /** Pid file, configuration and logs. */
  stateDir: string;
  heapMb?: number;
  readyTimeoutMs?: number;
}

/**
 * Starts MirrorMaker unless its pid file names a live process ('running'),
 * then waits until `ready` (an end-to-end probe) says yes, failing at once if
 * the JVM exits.
 */
export async function startMirrorMaker(options: MirrorMakerOptions, ready: () => Promise<boolean>): Promise<'running' | 'started'> {
  mkdirSync(options.stateDir, { recursive: true });
  const pid = pidFile(options);
  if (!claimPidFile(pid)) {
    await waitUntil('mirrormaker', options.readyTimeoutMs ?? 240_000, ready, () => (runningPid(pid) === undefined ? 'exited' : undefined));
    return 'running';
  }
  let exit: string | undefined;
  try {
    requireJava('MirrorMaker 2');
    const lib = resolveJars('connect-mirror', MIRROR_VERSION, POM);
    const dir = join(options.stateDir, options.name);
    mkdirSync(dir, { recursive: true });
    const properties = join(dir, 'connect-mirror-maker.properties');
    writeFileSync(properties, mirrorMakerProperties(options));
    const log4j = join(dir, 'log4j2.properties');
    writeFileSync(log4j, log4jProperties(join(dir, 'mirror-maker.log')));
    const out = openSync(join(dir, 'stdout.log'), 'a');
    const heapMb = options.heapMb ?? 384;
    const child = spawn(
      'java',
      // C1 only: a fraction of the start-up compile work, ample for a development mirror's throughput.
      [`-Xms${Math.min(128, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:TieredStopAtLevel=1', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`, '-cp', `${lib}/*`, 'org.apache.kafka.connect.mirror.MirrorMaker', properties],
      { detached: true, stdio: ['ignore', out, out] },
    );
    child.once('error', (error) => (exit = `cannot run java (${error.message})`));
    child.once('exit', (code) => (exit = `mirrormaker exited with code ${code}; see ${join(dir, 'mirror-maker.log')} and ${join(dir, 'stdout.log')}`));
    if (child.pid !== undefined) writePid(pid, child.pid);
    child.unref();
    await waitUntil('mirrormaker', options.readyTimeoutMs ?? 240_000, ready, () => exit);
  } catch (error) {
    // A MirrorMaker that never became ready is not left behind.
    if (exit === undefined) await stopMirrorMaker(options);
    rmSync(pid, { force: true });
    throw error;
  }
  return 'started';
}

export function stopMirrorMaker(options: Pick<MirrorMakerOptions, 'stateDir' | 'name'>): Promise<boolean> {
  return stopPid(pidFile(options), 20_000);
}

export function mirrorMakerRunning(options: Pick<MirrorMakerOptions, 'stateDir' | 'name'>): boolean {
  return runningPid(pidFile(options)) !== undefined;
}

function pidFile(options: Pick<MirrorMakerOptions, 'stateDir' | 'name'>): string {
  return join(options.stateDir, `${options.name}.pid`);
}

/**
 * The dedicated-mode configuration: the clusters by alias, one enabled flow
 * per (source, target) pair whose source clients go through the link, the
 * default replication policy (`<source>.<topic>`), and settings for a small
 * development deployment tuned for latency (docs/decisions.md).
 */
export function mirrorMakerProperties(options: MirrorMakerOptions): string {
  const aliases = Object.keys(options.clusters);
  const lines = [
    '# Written by scripts/services/mirror-maker.ts (npm run services -- --regions ...).',
    `clusters = ${aliases.join(', ')}`,
    // Every jar here has ServiceLoader manifests: skip the reflective classpath scan (tens of seconds on a busy machine).
    'plugin.discovery = service_load',
    ...aliases.flatMap((alias) => [
      `${alias}.bootstrap.servers = ${options.clusters[alias]}`,
      // Each herder (one per flow, with its target's settings) builds its own plugin set.
      `${alias}.plugin.discovery = service_load`,
      // Each flow's Connect group (on its target) has one worker. A worker cut off from its group's coordinator past its
      // session (the mirror at the source: the group lives across the link) rejoins as a new member, and Connect holds
      // the old member's flow back this long in case it returns (5 minutes by default): the flow would stay stopped that
      // long after the heal. With one worker there is nobody to wait for. (A worker setting: per cluster, like the above.)
      `${alias}.scheduled.rebalance.max.delay.ms = 0`,
      // Replication consumers (this cluster as a source): answer a fetch as soon as one record is there.
      `${alias}.consumer.fetch.min.bytes = 1`,
      `${alias}.consumer.fetch.max.wait.ms = 100`,
      `${alias}.consumer.reconnect.backoff.max.ms = 500`,
      // Replication producers (this cluster as a target): send at once, no batching delay (Kafka 4 defaults linger.ms to 5),
      // and keep several requests in flight (Connect's default is 1: each send would wait a round trip); idempotence keeps the order.
      `${alias}.producer.linger.ms = 0`,
      `${alias}.producer.enable.idempotence = true`,
      `${alias}.producer.max.in.flight.requests.per.connection = 5`,
    ]),
    ...options.flows.flatMap((flow) => {
      const prefix = `${flow.source}->${flow.target}`;
      const { sourceBrokers } = flow;
      return [
        `${prefix}.enabled = true`,
        // Every client of this flow's source side goes there (a cluster's address cannot differ per flow otherwise).
        ...(sourceBrokers === undefined ? [] : ['source.cluster', 'source.consumer', 'source.admin', 'source.producer'].map((client) => `${prefix}.${client}.bootstrap.servers = ${sourceBrokers}`)),
      ];
    }),
    `topics = ${options.topics}`,
    // Only the topics: no consumer-group checkpoints, offset syncs, heartbeats or ACLs (nothing here reads them).
    'emit.heartbeats.enabled = false',
    'emit.checkpoints.enabled = false',
    'emit.offset-syncs.enabled = false',
    'sync.group.offsets.enabled = false',
    'refresh.groups.enabled = false',
    'sync.topic.acls.enabled = false',
    // A topic a region creates is picked up within two seconds (default 10 minutes).
    'refresh.topics.interval.seconds = 2',
    'sync.topic.configs.interval.seconds = 60',
    // One broker per region: every internal and replicated topic has one replica.
    // (Checkpoint, heartbeat and offset-sync topic settings stay unset: with those features off, MirrorMaker refuses the connector config that names them.)
    'replication.factor = 1',
    'offset.storage.replication.factor = 1',
    'status.storage.replication.factor = 1',
    'config.storage.replication.factor = 1',
    // Each flow keeps its Connect offsets and status on its target: one partition each (25 and 5 by default).
    'offset.storage.partitions = 1',
    'status.storage.partitions = 1',
    'tasks.max = 1',
  ];
  return `${lines.join('\n')}\n`;
}
