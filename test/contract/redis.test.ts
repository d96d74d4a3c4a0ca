// Runs the bus, state, viewer-count and held-line contracts against the Redis
// implementations, on the shared Redis (127.0.0.1:6379 unless TEST_REDIS_URL),
// under a key prefix of this run's own. Fails, never skips, without Redis.
import { after } from 'node:test';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import { RedisState } from '../../src/state/redis-state.ts';
import { HllViewerCounter } from '../../src/viewers/hll-viewer-count.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';
import type { HeldStoreBounds } from '../../src/held/held-store.ts';
import { RedisHeldStore } from '../../src/held/redis-held-store.ts';
import { runBusContract } from './bus.contract.ts';
import { runHeldContract } from './held.contract.ts';
import { runStateContract } from './state.contract.ts';
import { runViewerContract } from './viewers.contract.ts';

const admin = await redisForTests();
const keyPrefix = uniquePrefix();
after(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.close();
});

const common = { url: REDIS_URL, cluster: false, keyPrefix, commandTimeoutMs: 2_000, onError: (err: unknown) => console.error('redis error', err) };

for (const sharded of [false, true]) {
  // The contract's throwing-handler test throws on purpose; keep its errors out of the test output.
  const open = () => RedisBus.connect({ ...common, sharded, onHandlerError: () => {} });
  runBusContract(sharded ? 'RedisBus (sharded pub/sub)' : 'RedisBus', open, { peer: open });
}

runStateContract(
  'RedisState',
  async () => ({
    open: () => RedisState.connect(common),
    // The stores' keys go with the run's prefix in `after`.
    cleanup: async () => {},
  }),
  { shared: true },
);

runViewerContract('HllViewerCounter', () => HllViewerCounter.connect({ ...common, region: 'test' }), { exact: false });

const openHeld = (bounds: HeldStoreBounds): Promise<RedisHeldStore> => RedisHeldStore.connect({ ...common, ...bounds });
runHeldContract('RedisHeldStore', { open: openHeld, peer: openHeld });
