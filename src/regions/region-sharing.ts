import type { Config } from '../config/settings.ts';
import { KafkaLogTail } from '../log/kafka-log-tail.ts';
import { closeRedis, connectRedis, withDeadline, type RedisSeamOptions } from '../redis/redis-client.ts';
import type { HllViewerCounter } from '../viewers/hll-viewer-count.ts';
import { DecisionState } from './decision-state.ts';
import type { HybridClock } from './hlc.ts';
import { withLocalDecisions, type ModerationSeams } from './local-decisions.ts';
import { LwwRegisters } from './lww-registers.ts';
import { PeerTopics } from './peer-topics.ts';
import { RemoteDecisions } from './remote-decisions.ts';
import { RemotePins } from './remote-pins.ts';
import { RemoteRetractions } from './remote-retractions.ts';
import { decisionsTopic, decodeDecision, decodeViewerRegister, viewersTopic } from './shared-records.ts';
import { SharedTopic } from './shared-topic.ts';
import { ViewerExchange } from './viewer-exchange.ts';

export type SharingConfig = Pick<Config, 'region' | 'regionPeers' | 'kafkaBrokers' | 'kafkaTopic' | 'kafkaPartitions' | 'kafkaReplicas' | 'retentionMs' | 'kafkaAppendTimeoutMs' | 'heldMessageTtlMs'>;

export interface RegionSharing extends ModerationSeams {
  viewers: ViewerExchange;
  close(): Promise<void>;
}

// Registers are only worth their latest: the viewers topic keeps a minute.
const VIEWERS_RETENTION_MS = 60_000;

/**
 * What a region shares with its peers besides lines (docs/regions.md):
 * its moderation decisions and held lines, and its viewer registers, each in a topic of its
 * own that MirrorMaker 2 copies, and what it takes in from theirs. Returns
 * the seams the server moderates and counts through.
 */
export async function openRegionSharing(config: SharingConfig, redis: RedisSeamOptions, beneath: ModerationSeams & { viewers: HllViewerCounter }, clock: HybridClock): Promise<RegionSharing> {
  const { onError } = redis;
  const topic = (name: string, retentionMs: number): Promise<SharedTopic> => SharedTopic.open({
    brokers: config.kafkaBrokers, topic: name, partitions: config.kafkaPartitions, replicas: config.kafkaReplicas, retentionMs, writeTimeoutMs: config.kafkaAppendTimeoutMs,
  });
  const client = await connectRedis({ url: redis.url, cluster: redis.cluster, name: 'chorus-regions', commandTimeoutMs: redis.commandTimeoutMs, onError });
  const closers: Array<() => Promise<void>> = [() => closeRedis(client)];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(onError);
  };
  try {
    const decisionsOut = await topic(decisionsTopic(config.kafkaTopic), config.retentionMs);
    closers.push(() => decisionsOut.close());
    const viewersOut = await topic(viewersTopic(config.kafkaTopic), VIEWERS_RETENTION_MS);
    closers.push(() => viewersOut.close());
    const decisions = new DecisionState(beneath.state, new LwwRegisters(client, redis.keyPrefix, redis.commandTimeoutMs));
    const retractions = new RemoteRetractions({ log: beneath.log, bus: beneath.bus, onError });
    closers.push(async () => retractions.close());
    const pins = new RemotePins({ log: beneath.log, bus: beneath.bus, decisions, onError });
    closers.push(async () => pins.close());
    const remote = new RemoteDecisions({ state: beneath.state, bus: beneath.bus, held: beneath.held, heldTtlMs: config.heldMessageTtlMs, decisions, retractions, pins, clock });
    const follow = { region: config.region, peers: config.regionPeers, onError };
    // A region that starts following a peer takes the decisions the peer's topic retains (bans and modes hold
    // longer than lines matter); viewer registers only from now on.
    const decisionsIn = new PeerTopics({
      ...follow, topic: decisionsTopic(config.kafkaTopic), group: 'decisions', startAt: 'earliest',
      tail: (name) => new KafkaLogTail({ brokers: config.kafkaBrokers, topic: name, decode: decodeDecision }),
      handle: (peer, records) => remote.take(peer, records),
    });
    closers.push(() => decisionsIn.close());
    const viewers = new ViewerExchange({
      counter: beneath.viewers, region: config.region, peers: config.regionPeers, onError,
      write: (stream, record) => viewersOut.write(stream, record),
      claim: async (stream, forMs) => (await withDeadline(client.set(`${redis.keyPrefix}viewers-send:{${stream}}`, '1', { condition: 'NX', expiration: { type: 'PX', value: forMs } }), redis.commandTimeoutMs)) === 'OK',
    });
    closers.push(() => viewers.close());
    const viewersIn = new PeerTopics({
      ...follow, topic: viewersTopic(config.kafkaTopic), group: 'viewers', startAt: 'latest',
      tail: (name) => new KafkaLogTail({ brokers: config.kafkaBrokers, topic: name, decode: decodeViewerRegister }),
      handle: (peer, records) => viewers.take(peer, records),
    });
    closers.push(() => viewersIn.close());
    const seams = withLocalDecisions(beneath, { clock, decisions, write: (stream, record) => decisionsOut.write(stream, record) });
    return { ...seams, viewers, close };
  } catch (err) {
    await close();
    throw err;
  }
}
