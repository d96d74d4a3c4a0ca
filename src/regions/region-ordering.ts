import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClusterBroker } from '../broker/cluster-broker.ts';
import type { Bus } from '../bus/bus.ts';
import type { Config } from '../config/settings.ts';
import type { RegionLog } from '../log/log.ts';
import { closeRedis, connectRedis, type RedisSeamOptions } from '../redis/redis-client.ts';
import { GlobalStreams } from './global-streams.ts';
import { Heartbeats } from './heartbeats.ts';
import type { HybridClock } from './hlc.ts';
import { OrderOwners } from './order-owners.ts';
import { OrderRelay } from './order-relay.ts';
import { OrderRouter } from './order-router.ts';
import { ONCE_MS } from './remote-intake.ts';

export type OrderingConfig = Pick<Config, 'region' | 'regionPeers' | 'regionHoldMaxMs' | 'regionHoldMaxLines' | 'regionHeartbeatMs' | 'stateIntervalMs'>;

export interface RegionOrdering {
  /** Where this gateway hands a stream's global-order lines and the peers' watermarks. */
  router: OrderRouter;
  close(): Promise<void>;
}

// A partition's owner holds it this long without renewing; a crashed owner's partitions are claimed again after it.
const OWNER_LEASE_MS = 3_000;
// An owner answers once the line is released (at most the hold) and in the region's order.
const ANSWER_SLACK_MS = 5_000;
// Lines waiting for their owners' answers at most (each is a send or a peer's line in flight).
const MAX_PENDING = 20_000;

/**
 * The global order of a region with any number of gateways (docs/regions.md):
 * this gateway's mergers for the partitions it owns, the claims, the relay
 * to the other gateways, and the heartbeats. Closed in reverse: heartbeats
 * stop, held lines go out, the relay and the claims are given up.
 */
export async function openRegionOrdering(config: OrderingConfig, redis: RedisSeamOptions, parts: { log: RegionLog; cluster: ClusterBroker; bus: Bus }, clock: HybridClock): Promise<RegionOrdering> {
  const self = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const { onError } = redis;
  const client = await connectRedis({ url: redis.url, cluster: redis.cluster, name: 'chorus-order-owners', commandTimeoutMs: redis.commandTimeoutMs, onError });
  const owners = new OrderOwners({ redis: client, keyPrefix: redis.keyPrefix, commandTimeoutMs: redis.commandTimeoutMs, self, leaseMs: OWNER_LEASE_MS });
  let router!: OrderRouter;
  let relay: OrderRelay;
  try {
    relay = await OrderRelay.connect({
      ...redis, self, timeoutMs: config.regionHoldMaxMs + ANSWER_SLACK_MS, maxPending: MAX_PENDING,
      handle: (request) => router.serve(request),
      onState: (stream, state) => router.heard(stream, state),
    });
  } catch (err) {
    await closeRedis(client);
    throw err;
  }
  const streams = new GlobalStreams({
    region: config.region, peers: config.regionPeers, holdMaxMs: config.regionHoldMaxMs, maxHeld: config.regionHoldMaxLines,
    clock, log: parts.log, order: parts.cluster, onceMs: ONCE_MS,
    // The viewers on every gateway hear it on the bus; the other gateways' `state` from the relay.
    onState: (stream, change) => {
      parts.bus.publish(stream, { kind: 'state', state: { globalOrder: change } }).catch(onError);
      relay.announce(stream, change).catch(onError);
    },
    degradedShownMs: config.stateIntervalMs,
  });
  router = new OrderRouter({ streams, owners, relay, partitions: parts.log.partitions });
  const heartbeats = new Heartbeats({ intervalMs: config.regionHeartbeatMs, global: streams, owners, log: parts.log, clock, onError });
  return {
    router,
    close: async () => {
      await heartbeats.close();
      await streams.close();
      await relay.close();
      await owners.release().catch(onError);
      await closeRedis(client);
    },
  };
}
