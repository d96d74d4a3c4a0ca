// Runs the durable log contract against ClusterLog: the Kafka log with the
// recent window in Redis in front of it, as cluster-mode gateways read it.
import { ClusterLog } from '../../src/cluster/cluster-log.ts';
import { RecentWindow } from '../../src/cluster/recent-window.ts';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { REDIS_URL, deleteKeys, redisForTests, uniquePrefix } from '../support/redis.ts';
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
