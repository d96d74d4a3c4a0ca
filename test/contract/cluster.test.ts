// Runs the durable log contract against ClusterLog (the Kafka log with the
// recent window in Redis in front of it, as cluster-mode gateways read it)
// and the broker contract against the cluster broker, on the shared Redis and Kafka.
import { ClusterLog } from '../../src/broker/cluster-log.ts';
import { RecentWindow } from '../../src/broker/recent-window.ts';
import { ClusterBroker } from '../../src/broker/cluster-broker.ts';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import { withFailingAppends } from '../support/failing-appends.ts';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { REDIS_URL, deleteKeys, redisForTests, uniquePrefix } from '../support/redis.ts';
import { runBrokerContract } from './broker.contract.ts';
import type { Broker } from '../../src/broker/broker.ts';
import { HybridClock } from '../../src/regions/hlc.ts';
import { RegionalBroker } from '../../src/regions/regional-broker.ts';
import { runLogContract } from './log.contract.ts';

const brokers = await ensureKafka();

runLogContract('ClusterLog (Kafka + recent window)', async () => {
  const topic = uniqueTopic('chorus-contract-cluster');
  const prefix = uniquePrefix();
  return {
    open: async () => {
      const kafka = await openTestLog(brokers, topic);
      const window = await RecentWindow.connect({ url: REDIS_URL, cluster: false, keyPrefix: prefix, sharded: false, commandTimeoutMs: 2_000, capacity: 1_000, idleMs: 60_000, onError: () => {} });
      // Here the log under test owns its parts (in the server the seams do).
      return new ClusterLog(kafka, window, async () => {
        await window.close();
        await kafka.close();
      });
    },
    cleanup: async () => {
      const redis = await redisForTests();
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
});

/** The cluster broker's harness; `wrap` puts another broker around it (multi-region mode's). */
const clusterBrokerHarness = (wrap: (broker: ClusterBroker) => Broker) => async () => {
  const topic = uniqueTopic('chorus-contract-broker');
  const prefix = uniquePrefix();
  const redis = { url: REDIS_URL, cluster: false, keyPrefix: prefix, commandTimeoutMs: 2_000, onError: () => {} };
  const forget = async (): Promise<void> => {
    const admin = await redisForTests();
    await deleteKeys(admin, prefix);
    await admin.quit();
  };
  return {
    open: async () => {
      const stored = await openTestLog(brokers, topic);
      const appends = withFailingAppends(stored);
      // Smaller than the history tests' streams, so their reads cross from the window into Kafka.
      const window = await RecentWindow.connect({ ...redis, sharded: false, capacity: 40, idleMs: 60_000 });
      const bus = await RedisBus.connect({ ...redis, sharded: false, onHandlerError: () => {} });
      const onError = (err: unknown): void => console.error('broker cleanup failed', err);
      const broker = wrap(new ClusterBroker({ window, kafka: appends.log, history: new ClusterLog(stored, window), bus, onError }));
      return {
        broker, bus, stored, failAppends: appends.fail,
        close: async () => {
          await Promise.all([bus.close(), window.close()]);
          await stored.close();
        },
      };
    },
    loseCounters: forget,
    cleanup: forget,
  };
};

runBrokerContract('ClusterBroker (Redis + Kafka)', clusterBrokerHarness((broker) => broker), { shared: true });
// Multi-region mode: a gateway of region us behaves as a cluster gateway, its lines carrying their origin.
runBrokerContract('RegionalBroker (region us, over the cluster broker)', clusterBrokerHarness((broker) => new RegionalBroker(broker, new HybridClock('us'))), { shared: true, origin: 'us' });
