// Runs the bus, state, viewer-count and held-line contracts, and the recent window, on a
// real Redis Cluster of three masters started here (redis-server and
// redis-cli from Debian's redis package), with the cluster client.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import { RecentWindow } from '../../src/broker/recent-window.ts';
import { RedisState } from '../../src/state/redis-state.ts';
import { HllViewerCounter } from '../../src/viewers/hll-viewer-count.ts';
import { OwnRedisCluster } from '../support/redis-cluster.ts';
import type { HeldStoreBounds } from '../../src/held/held-store.ts';
import { RedisHeldStore } from '../../src/held/redis-held-store.ts';
import { runBusContract } from './bus.contract.ts';
import { runHeldContract } from './held.contract.ts';
import { runStateContract } from './state.contract.ts';
import { runViewerContract } from './viewers.contract.ts';

const cluster = await OwnRedisCluster.start();
after(() => cluster.stop());

const common = { url: cluster.url, cluster: true, keyPrefix: 'chorus:', commandTimeoutMs: 2_000, onError: (err: unknown) => console.error('redis cluster error', err) };

// Sharded pub/sub only: classic PUBLISH on a cluster goes to any node and is
// broadcast from there, so one stream's events could arrive out of order
// (the configuration refuses redisCluster without redisShardedPubsub).
const openBus = () => RedisBus.connect({ ...common, sharded: true, onHandlerError: () => {} });
runBusContract('RedisBus on Redis Cluster (sharded pub/sub)', openBus, { peer: openBus });

runStateContract('RedisState on Redis Cluster', async () => ({ open: () => RedisState.connect(common), cleanup: async () => {} }), { shared: true });

const openHeld = (bounds: HeldStoreBounds): Promise<RedisHeldStore> => RedisHeldStore.connect({ ...common, ...bounds });
runHeldContract('RedisHeldStore on Redis Cluster', { open: openHeld, peer: openHeld });

runViewerContract('HllViewerCounter on Redis Cluster', () => HllViewerCounter.connect({ ...common, region: 'test' }), { exact: false });

describe('RecentWindow on Redis Cluster', () => {
  let window: RecentWindow;
  before(async () => {
    window = await RecentWindow.connect({ ...common, sharded: true, capacity: 3, idleMs: 60_000 });
  });
  after(() => window.close());

  test('streams on every shard stamp, keep, trim and remove in one slot each', async () => {
    // Enough streams that their slots land on all three masters.
    const streams = Array.from({ length: 12 }, () => `s-${randomUUID()}`);
    for (const stream of streams) {
      for (let i = 1; i <= 4; i++) {
        const seq = await window.stamp({ id: `${stream}-${i}`, stream, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text: `t${i}` }, true, 0);
        assert.equal(seq, i);
      }
      const snapshot = await window.read(stream);
      assert.deepEqual(snapshot.messages.map((m) => m.seq), [2, 3, 4]);
      assert.equal(snapshot.from, 2);
      assert.deepEqual(await window.remove(stream, [`${stream}-3`]), [`${stream}-3`]);
      assert.deepEqual((await window.read(stream)).messages.map((m) => m.seq), [2, 4]);
    }
  });
});
