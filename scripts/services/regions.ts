// Several regions on this one machine (npm run services -- --regions us,eu,ap):
// for each region its own Redis and Kafka broker, delayed links between the
// regions, and MirrorMaker 2 replicating every region's chat topics into every
// other region as `<region>.<topic>`. See docs/operations.md "Regions locally".
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaAnswers, startKafka, stopKafka, type KafkaBrokerOptions } from './kafka-broker.ts';
import { LinksControl } from './links-control.ts';
import type { LinksProcessConfig } from './links-process.ts';
import { ensureProbeTopic, flowsReplicate, type ProbedFlow } from './mirror-probe.ts';
import { mirrorMakerRunning, startMirrorMaker, stopMirrorMaker, type MirrorMakerOptions } from './mirror-maker.ts';
import { claimPidFile, runningPid, stopPid, waitUntil, writePid } from './processes.ts';
import { redisAnswers, startRedis, stopRedis } from './redis-server.ts';
import type { LinkSpec, LinksState } from './region-links.ts';
import { currentLayout, readLayout, regionDir, type Layout, type MirrorPlacement } from './regions-layout.ts';

export type { MirrorPlacement } from './regions-layout.ts';

/**
 * The topics every region replicates: the chat log (`chorus.messages` by
 * default) and every topic named after it (`chorus.messages.reports`, ...).
 * Mirrored topics (`us.chorus.messages`) do not match it, so nothing loops.
 */
export const MIRRORED_TOPICS = 'chorus\\..*';
const REGION_NAME = /^[a-z][a-z0-9]{0,15}$/;
const BROKER_HEAP_MB = 384;
/**
 * Region brokers share two cores with everything else: C1 only (far less
 * start-up compiling), one partition for the group offsets (50 by default,
 * each created and loaded at start), and a session long enough that a busy
 * controller does not fence its own broker (seen at 3 s under load).
 */
const BROKER_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1'];
const BROKER_PROPERTIES = { 'offsets.topic.num.partitions': '1', 'broker.session.timeout.ms': '9000', 'broker.heartbeat.interval.ms': '1000' };
const MIRROR_HEAP_MB = 384;
const LINKS_PROCESS = new URL('./links-process.ts', import.meta.url).pathname;

export interface RegionsOptions {
  regions: readonly string[];
  /** Everything of these regions (pid files, logs, broker data) lives under it. */
  stateDir: string;
  /** One-way delay of every link between regions. */
  delayMs?: number;
  /** `target` unless given; a running set keeps the placement it was started with. */
  mirrorAt?: MirrorPlacement;
}

/** What `--json` prints: the pinned `regions` map (../shared/PROTOCOL.md, operating contract), plus the links. */
export interface RegionsInfo {
  regions: Record<string, { redisUrl: string; kafkaBrokers: string; peers: string[] }>;
  links: { controlUrl: string; delayMs: number; mirrorAt: MirrorPlacement };
}

export function parseRegions(list: string): string[] {
  const regions = list.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of regions) if (!REGION_NAME.test(name)) throw new Error(`region "${name}": use a lower-case letter, then up to 15 letters or digits`);
  if (new Set(regions).size !== regions.length) throw new Error(`regions "${list}": a region is named twice`);
  if (regions.length < 2) throw new Error(`regions "${list}": at least two regions (one region is the plain \`npm run services\`)`);
  return regions;
}

/**
 * Starts whatever of the regions is not running (what is running is reused)
 * and waits until each Redis and broker answers and a marker crosses every
 * flow that is not cut. Concurrent starts on one state directory take turns.
 */
export async function startRegions(options: RegionsOptions): Promise<RegionsInfo> {
  mkdirSync(options.stateDir, { recursive: true });
  const lock = join(options.stateDir, 'start.lock');
  await waitUntil('regions: another start in progress', 600_000, async () => claimPidFile(lock));
  try {
    const layout = await currentLayout(options, (existing) => anythingRunning(options.stateDir, existing));
    await startLinks(options.stateDir, layout);
    const control = new LinksControl(controlUrl(layout));
    if ((await control.state()).delayMs !== layout.delayMs) await control.setDelay(layout.delayMs);
    await Promise.all(layout.regions.map((region) => startRedis({ port: layout.ports[region]!.redis, stateDir: regionDir(options.stateDir, region) })));
    await Promise.all(layout.regions.map((region) => startKafka(brokerOptions(options.stateDir, layout, region))));
    await Promise.all(layout.regions.map((region) => ensureProbeTopic(localBrokers(layout, region))));
    const cut = new Set((await control.state()).links.filter((link) => link.cut).map((link) => `${link.from}->${link.to}`));
    const probed = probedFlows(layout).filter((flow) => !cut.has(`${flow.source}->${flow.target}`));
    await Promise.all(mirrorMakers(options.stateDir, layout).map((mirror) => startMirrorMaker(mirror, () => flowsReplicate(probed, 5000))));
    return info(layout);
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Stops everything the regions' state directory started; false when nothing was running. */
export async function stopRegions(stateDir: string): Promise<boolean> {
  const layout = readLayout(stateDir);
  if (layout === undefined) return false;
  const stopped = await Promise.all(mirrorMakers(stateDir, layout).map((mirror) => stopMirrorMaker(mirror)));
  stopped.push(...(await Promise.all(layout.regions.map((region) => stopKafka(brokerOptions(stateDir, layout, region))))));
  stopped.push(...(await Promise.all(layout.regions.map((region) => stopRedis({ port: layout.ports[region]!.redis, stateDir: regionDir(stateDir, region) })))));
  stopped.push(await stopPid(linksPidFile(stateDir), 5000));
  return stopped.some(Boolean);
}

/**
 * Kills one region's broker at once (SIGKILL: a crash, for trying the
 * failure modes; docs/regions.md). `startRegions` starts it again, on its
 * data. False when it was not running.
 */
export async function killRegionBroker(stateDir: string, region: string): Promise<boolean> {
  const layout = readLayout(stateDir);
  if (layout === undefined || !layout.regions.includes(region)) throw new Error(`no region "${region}" in ${stateDir}`);
  return stopKafka(brokerOptions(stateDir, layout, region), true);
}

export interface RegionsStatus {
  regions: Record<string, { redis: boolean; kafka: boolean }>;
  mirrorMaker: boolean;
  links: LinksState | undefined;
}

export async function regionsStatus(stateDir: string): Promise<RegionsStatus | undefined> {
  const layout = readLayout(stateDir);
  if (layout === undefined) return undefined;
  const regions: RegionsStatus['regions'] = {};
  for (const region of layout.regions) {
    const ports = layout.ports[region]!;
    regions[region] = { redis: await redisAnswers(ports.redis), kafka: await kafkaAnswers(ports.kafka) };
  }
  const links = await new LinksControl(controlUrl(layout)).state().catch(() => undefined);
  return { regions, mirrorMaker: mirrorMakers(stateDir, layout).every((mirror) => mirrorMakerRunning(mirror)), links };
}

function anythingRunning(stateDir: string, layout: Layout): boolean {
  const pidFiles = [linksPidFile(stateDir)];
  for (const region of layout.regions) {
    pidFiles.push(join(regionDir(stateDir, region), 'redis.pid'), join(regionDir(stateDir, region), `kafka-${layout.ports[region]!.kafka}.pid`));
  }
  return pidFiles.some((file) => runningPid(file) !== undefined) || mirrorMakers(stateDir, layout).some((mirror) => mirrorMakerRunning(mirror));
}

function linksPidFile(stateDir: string): string {
  return join(stateDir, 'links.pid');
}

function controlUrl(layout: Layout): string {
  return `http://127.0.0.1:${layout.controlPort}`;
}

function localBrokers(layout: Layout, region: string): string {
  return `127.0.0.1:${layout.ports[region]!.kafka}`;
}

function peersOf(layout: Layout, region: string): string[] {
  return layout.regions.filter((other) => other !== region);
}

/** A broker with one extra listener per peer (for that peer's MirrorMaker), advertised at the link in front of it. */
function brokerOptions(stateDir: string, layout: Layout, region: string): KafkaBrokerOptions {
  const ports = layout.ports[region]!;
  return {
    port: ports.kafka,
    controllerPort: ports.controller,
    listeners: peersOf(layout, region).map((peer) => ({ name: `MIRROR_${peer.toUpperCase()}`, port: ports.mirrorListener[peer]!, advertisedPort: ports.link[peer]! })),
    stateDir: regionDir(stateDir, region),
    heapMb: BROKER_HEAP_MB,
    // Three brokers (and their MirrorMakers) starting at once on two busy cores: more than the single broker's 90 s.
    readyTimeoutMs: 240_000,
    jvmOptions: BROKER_JVM_OPTIONS,
    properties: BROKER_PROPERTIES,
  };
}

/**
 * One link per flow (from -> to), in front of the broker the flow's
 * MirrorMaker reaches across the distance: `from`'s when it runs in `to`
 * (target placement), `to`'s when it runs in `from` (source placement).
 */
function linkSpecs(layout: Layout): LinkSpec[] {
  return layout.regions.flatMap((from) =>
    peersOf(layout, from).map((to) => {
      const [remote, local] = layout.mirrorAt === 'target' ? [from, to] : [to, from];
      return { from, to, listenPort: layout.ports[remote]!.link[local]!, targetPort: layout.ports[remote]!.mirrorListener[local]! };
    }),
  );
}

/** The broker `remote` as region `local`'s MirrorMaker reaches it: through their link. */
function acrossLink(layout: Layout, remote: string, local: string): string {
  return `127.0.0.1:${layout.ports[remote]!.link[local]!}`;
}

/**
 * Target placement: one MirrorMaker for every flow, each flow's source
 * clients pointed at its link. Source placement: one per region, running that
 * region's outgoing flows, its peers' brokers reached across the links.
 */
function mirrorMakers(stateDir: string, layout: Layout): MirrorMakerOptions[] {
  const common = { topics: MIRRORED_TOPICS, stateDir, heapMb: MIRROR_HEAP_MB };
  if (layout.mirrorAt === 'target') {
    const clusters = Object.fromEntries(layout.regions.map((region) => [region, localBrokers(layout, region)]));
    const flows = linkSpecs(layout).map((link) => ({ source: link.from, target: link.to, sourceBrokers: acrossLink(layout, link.from, link.to) }));
    return [{ name: 'mirror-maker', clusters, flows, ...common }];
  }
  return layout.regions.map((region) => {
    const clusters = Object.fromEntries(layout.regions.map((other) => [other, other === region ? localBrokers(layout, region) : acrossLink(layout, other, region)]));
    const flows = peersOf(layout, region).map((peer) => ({ source: region, target: peer }));
    return { name: `mirror-maker-${region}`, clusters, flows, ...common };
  });
}

function probedFlows(layout: Layout): ProbedFlow[] {
  return linkSpecs(layout).map((link) => ({ source: link.from, target: link.to, sourceBrokers: localBrokers(layout, link.from), targetBrokers: localBrokers(layout, link.to) }));
}

async function startLinks(stateDir: string, layout: Layout): Promise<void> {
  const control = new LinksControl(controlUrl(layout));
  const answers = (): Promise<boolean> => control.state().then(() => true, () => false);
  if (runningPid(linksPidFile(stateDir)) !== undefined && (await answers())) return;
  const config: LinksProcessConfig = { controlPort: layout.controlPort, delayMs: layout.delayMs, links: linkSpecs(layout) };
  const configFile = join(stateDir, 'links.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const log = openSync(join(stateDir, 'links.log'), 'a');
  const child = spawn(process.execPath, [LINKS_PROCESS, configFile], { detached: true, stdio: ['ignore', log, log] });
  let exit: string | undefined;
  child.once('error', (error) => (exit = `cannot run node (${error.message})`));
  child.once('exit', (code) => (exit = `the links process exited with code ${code}; see ${join(stateDir, 'links.log')}`));
  if (child.pid !== undefined) writePid(linksPidFile(stateDir), child.pid);
  child.unref();
  await waitUntil(`links control on ${controlUrl(layout)}`, 10_000, answers, () => exit);
}

function info(layout: Layout): RegionsInfo {
  const regions: RegionsInfo['regions'] = {};
  for (const region of layout.regions) {
    regions[region] = { redisUrl: `redis://127.0.0.1:${layout.ports[region]!.redis}`, kafkaBrokers: localBrokers(layout, region), peers: peersOf(layout, region) };
  }
  return { regions, links: { controlUrl: controlUrl(layout), delayMs: layout.delayMs, mirrorAt: layout.mirrorAt } };
}
