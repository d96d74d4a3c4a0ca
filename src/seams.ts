import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/settings.ts';
import type { Bus } from './bus/bus.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { RedisBus } from './bus/redis-bus.ts';
import type { Broker } from './broker/broker.ts';
import { EmbeddedBroker } from './broker/embedded-broker.ts';
import { ClusterLog } from './broker/cluster-log.ts';
import { ClusterBroker } from './broker/cluster-broker.ts';
import { RecentWindow } from './broker/recent-window.ts';
import { HybridClock } from './regions/hlc.ts';
import { openRegionOrdering } from './regions/region-ordering.ts';
import { RegionalBroker } from './regions/regional-broker.ts';
import { RegionIntake } from './regions/remote-intake.ts';
import { RemoteLines, type RemoteIntake } from './regions/remote-lines.ts';
import { StreamOrderings } from './regions/stream-orderings.ts';
import { openRegionSharing } from './regions/region-sharing.ts';
import { KafkaLog } from './log/kafka-log.ts';
import { KafkaLogTail, regionRecordOf } from './log/kafka-log-tail.ts';
import type { DurableLog } from './log/log.ts';
import type { LogTail } from './log/log-tail.ts';
import { SqliteLog } from './log/sqlite-log.ts';
import { SqliteLogTail } from './log/sqlite-log-tail.ts';
import { HELD_PER_STREAM, type HeldStore, type HeldStoreBounds } from './held/held-store.ts';
import { MemoryHeldStore } from './held/memory-held-store.ts';
import { RedisHeldStore } from './held/redis-held-store.ts';
import { KafkaReportQueue } from './reports/kafka-report-queue.ts';
import type { ReportQueue } from './reports/report-queue.ts';
import { KafkaModlog } from './modlog/kafka-modlog.ts';
import type { ModlogStore } from './modlog/modlog-store.ts';
import { SqliteModlog } from './modlog/sqlite-modlog.ts';
import { SqliteReportQueue } from './reports/sqlite-report-queue.ts';
import { DataDirLock } from './process/data-dir-lock.ts';
import { MemoryState } from './state/memory-state.ts';
import { RedisState } from './state/redis-state.ts';
import { SqliteStatePersistence } from './state/sqlite-state-persistence.ts';
import type { StateStore } from './state/state.ts';
import { ExactViewerCounter } from './viewers/exact-viewer-count.ts';
import { HllViewerCounter } from './viewers/hll-viewer-count.ts';
import type { ViewerCounter } from './viewers/viewer-count.ts';
import type { GlobalOrderState } from './protocol/types.ts';

/** Every seam of DESIGN.md, built for one mode, and how to close them all. */
export interface Seams {
  mode: 'embedded' | 'cluster';
  log: DurableLog;
  state: StateStore;
  bus: Bus;
  viewers: ViewerCounter;
  broker: Broker;
  tail: LogTail;
  reports: ReportQueue;
  /** The audit log of moderator actions. */
  modlog: ModlogStore;
  /** Lines held for a moderator's decision. */
  held: HeldStore;
  /** The analytics consumer's group: its counts live in this process, so in cluster mode each gateway reads every stream in a group of its own. */
  analyticsGroup: string;
  /** Multi-region mode: where a stream in global order stands (`state.globalOrder`). */
  globalOrder?: (stream: string) => GlobalOrderState;
  /** Registers what to do when the live bus may have lost events (Redis came back): re-read the log. */
  onBusGap(listener: () => void): void;
  /** Stops the log's consumers (each finishes and commits its batch); the drain bounds the wait. */
  stopConsumers(): Promise<void>;
  /** Closes everything, stopping the consumers first unless stopConsumers was already called. */
  close(): Promise<void>;
}

type SeamParts = Omit<Seams, 'stopConsumers' | 'close'>;
type Closable = { close(): Promise<void> };

/** Adds the shutdown order to a mode's parts: consumers once, then `closeRest` (everything but the tail). */
function withShutdown(parts: SeamParts, closeRest: () => Promise<void>): Seams {
  let stopping: Promise<void> | undefined;
  const stopConsumers = (): Promise<void> => (stopping ??= parts.tail.close());
  return {
    ...parts,
    stopConsumers,
    close: async () => {
      if (stopping === undefined) await stopConsumers();
      await closeRest();
    },
  };
}

export function openSeams(config: Config, logger: Logger): Promise<Seams> {
  return config.redisUrl === '' ? openEmbeddedSeams(config, logger) : openClusterSeams(config, logger);
}

async function openEmbeddedSeams(config: Config, logger: Logger): Promise<Seams> {
  const lock = DataDirLock.acquire(config.dataDir);
  const dbPath = join(config.dataDir, 'chorus.db');
  const log = await SqliteLog.open({ path: dbPath, retentionMs: config.retentionMs, maxMessagesPerStream: config.retentionMessagesPerStream })
    .catch((err: unknown) => {
      lock.release();
      throw err;
    });
  const state = new MemoryState({ persistence: new SqliteStatePersistence(dbPath) });
  const bus = new MemoryBus();
  const viewers = new ExactViewerCounter();
  const tail = new SqliteLogTail(log);
  const reports = new SqliteReportQueue({ path: join(config.dataDir, 'reports.db'), maxPerStream: config.reportQueueMaxPerStream, maxTotal: config.reportQueueMax });
  const modlog = new SqliteModlog(join(config.dataDir, 'modlog.db'), modlogBounds(config));
  const held = new MemoryHeldStore(heldBounds(config));
  const parts: SeamParts = {
    mode: 'embedded', log, state, bus, viewers, tail, reports, modlog, held,
    broker: new EmbeddedBroker(log, bus, { onPublishError: (err) => logger.error({ err }, 'publish failed') }),
    analyticsGroup: 'analytics',
    onBusGap: () => {}, // the in-process bus loses nothing
  };
  return withShutdown(parts, async () => {
    await Promise.all([reports.close(), modlog.close(), bus.close(), state.close(), viewers.close(), held.close()]);
    await log.close();
    lock.release();
  });
}

async function openClusterSeams(config: Config, logger: Logger): Promise<Seams> {
  const onError = (component: string) => (err: unknown) => logger.warn({ err, component }, 'backing service error');
  const redis = { url: config.redisUrl, cluster: config.redisCluster, keyPrefix: config.redisKeyPrefix, commandTimeoutMs: config.redisCommandTimeoutMs };
  const gapListeners: Array<() => void> = [];
  // Everything opened so far, closed again (newest first) if anything fails to open.
  const opened: Closable[] = [];
  const open = async <T extends Closable>(opening: Promise<T>): Promise<T> => {
    const seam = await opening;
    opened.push(seam);
    return seam;
  };
  const closeAll = async (): Promise<void> => {
    for (const seam of opened.reverse()) await seam.close().catch(onError('close'));
  };
  try {
    // The two Kafka topics take the longest to open (each is read to its end): side by side, and
    // both settle before anything else opens, so a failure of one never leaves the other open.
    const [kafka, reports] = await openBoth(open, KafkaLog.open({
      brokers: config.kafkaBrokers, topic: config.kafkaTopic, partitions: config.kafkaPartitions, replicas: config.kafkaReplicas,
      retentionMs: config.retentionMs, maxMessagesPerStream: config.retentionMessagesPerStream,
      maxIndexedMessages: config.kafkaIndexMaxMessages, appendTimeoutMs: config.kafkaAppendTimeoutMs,
      onError: onError('kafka-log'),
    }), KafkaReportQueue.open({
      brokers: config.kafkaBrokers, topic: `${config.kafkaTopic}.reports`, partitions: config.kafkaPartitions, replicas: config.kafkaReplicas,
      writeTimeoutMs: config.kafkaAppendTimeoutMs,
      maxPerStream: config.reportQueueMaxPerStream, maxTotal: config.reportQueueMax, onError: onError('kafka-reports'),
    }));
    const modlog = await open(KafkaModlog.open({
      ...modlogBounds(config), maxTotal: config.modlogMemoryMax,
      brokers: config.kafkaBrokers, topic: `${config.kafkaTopic}.modlog`, partitions: config.kafkaPartitions, replicas: config.kafkaReplicas,
      writeTimeoutMs: config.kafkaAppendTimeoutMs, onError: onError('kafka-modlog'),
    }));
    const window = await open(RecentWindow.connect({ ...redis, sharded: config.redisShardedPubsub, onError: onError('redis-window') }));
    const log = new ClusterLog(kafka, window);
    const state = await open(RedisState.connect({ ...redis, showOrdering: config.region !== '', onError: onError('redis-state') }));
    const bus = await open(RedisBus.connect({
      ...redis, sharded: config.redisShardedPubsub,
      onError: onError('redis-bus'),
      onHandlerError: (err, stream) => logger.error({ err, stream }, 'bus handler failed'),
      onResubscribed: () => {
        for (const listener of gapListeners) listener();
      },
    }));
    const viewers = await open(HllViewerCounter.connect({ ...redis, region: config.region || config.viewerRegion, onError: onError('redis-viewers') }));
    const held = await open(RedisHeldStore.connect({ ...redis, ...heldBounds(config), onError: onError('redis-held') }));
    const tail = new KafkaLogTail({ brokers: config.kafkaBrokers, topic: config.kafkaTopic });
    const cluster = new ClusterBroker({ window, kafka, history: log, bus, onError: onError('broker') });
    let broker: Broker = cluster;
    // What the server moderates and counts through; in multi-region mode shared with the peers.
    let shared: Pick<SeamParts, 'log' | 'state' | 'bus' | 'viewers' | 'held'> = { log, state, bus, viewers, held };
    let globalOrder: ((stream: string) => GlobalOrderState) | undefined;
    if (config.region !== '') {
      const clock = new HybridClock(config.region);
      const orderings = new StreamOrderings((stream) => state.getModes(stream));
      // Closed newest first: the peers are no longer followed, then the heartbeats stop and the held lines go out.
      const ordering = await open(openRegionOrdering(config, { ...redis, onError: onError('global-order') }, { log: kafka, cluster, bus }, clock));
      broker = new RegionalBroker(cluster, clock, { orderings, streams: ordering.router });
      globalOrder = (stream) => ordering.router.state(stream);
      await open(Promise.resolve(followPeers(config, new RegionIntake(orderings, ordering.router, cluster), clock, onError('region-lines'))));
      shared = await open(openRegionSharing(config, { ...redis, onError: onError('region-sharing') }, { log, state, bus, viewers, held }, clock));
    }
    const parts: SeamParts = {
      mode: 'cluster', ...shared, tail, reports, modlog, broker, globalOrder,
      analyticsGroup: `analytics-${randomUUID()}`,
      onBusGap: (listener) => gapListeners.push(listener),
    };
    return withShutdown(parts, closeAll);
  } catch (err) {
    await closeAll();
    throw err;
  }
}

// A region follower's fetch is answered as soon as one record is there (a 1-byte minimum); this bounds an empty one.
const REGION_FETCH_WAIT_MS = 100;

/**
 * Multi-region mode (docs/regions.md): each peer's mirrored log is followed
 * into this region's order. Start-up does not wait for the peers' topics: a
 * region starts while its peers (or the mirror) are down, and takes their
 * lines once they come.
 */
function followPeers(config: Config, intake: RemoteIntake, clock: HybridClock, onError: (err: unknown) => void): RemoteLines {
  return new RemoteLines({
    region: config.region, peers: config.regionPeers, topic: config.kafkaTopic,
    // Fetches answered as records come: the global order waits for the peers' lines and watermarks.
    tail: (topic) => new KafkaLogTail({ brokers: config.kafkaBrokers, topic, decode: regionRecordOf, fetchWaitMs: REGION_FETCH_WAIT_MS, minFetchBytes: 1 }),
    intake, clock, onError,
  });
}

/** How long and how many held lines wait, the same in both modes. */
function heldBounds(config: Config): HeldStoreBounds {
  return { ttlMs: config.heldMessageTtlMs, perStream: HELD_PER_STREAM };
}

/** The audit log's age and per-stream bounds, the same in both modes. */
function modlogBounds(config: Config): { retentionMs: number; maxPerStream: number; now: () => number } {
  return { retentionMs: config.modlogRetentionMs, maxPerStream: config.modlogMaxPerStream, now: Date.now };
}

/** Opens two seams at once; each one that opened is registered (so it is closed on failure) before a failure is thrown. */
async function openBoth<A extends Closable, B extends Closable>(open: <T extends Closable>(opening: Promise<T>) => Promise<T>, a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([open(a), open(b)]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}
