// Runs the durable log contract against KafkaLog on a real broker, one fresh topic per run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { KafkaLogTail } from '../../src/log/kafka-log-tail.ts';
import { runLogContract } from './log.contract.ts';
import { runLogTailContract } from './log-tail.contract.ts';
import { KafkaReportQueue } from '../../src/reports/kafka-report-queue.ts';
import { runReportQueueContract } from './report-queue.contract.ts';
import { KafkaModlog } from '../../src/modlog/kafka-modlog.ts';
import { runModlogContract } from './modlog.contract.ts';

const brokers = await ensureKafka();
const topic = uniqueTopic('chorus-contract');

runLogContract('KafkaLog', async () => ({
  open: () => openTestLog(brokers, topic),
  // The topic is shared by the run's tests (each uses its own streams) and expires by retention.
  cleanup: async () => {},
}));

runLogTailContract('KafkaLogTail', async () => {
  // One topic per harness: a restart opens the same topic again.
  const tailTopic = uniqueTopic('chorus-contract-tail');
  return {
    open: async () => ({ log: await openTestLog(brokers, tailTopic), tail: new KafkaLogTail({ brokers, topic: tailTopic, retryMs: 200 }) }),
    cleanup: async () => {},
  };
});

function openReportQueue(topic: string, bounds: { maxPerStream: number; maxTotal: number }): Promise<KafkaReportQueue> {
  return KafkaReportQueue.open({ brokers, topic, partitions: 3, replicas: 1, retentionMs: 7 * 24 * 3_600_000, writeTimeoutMs: 5_000, onError: () => {}, ...bounds });
}

runReportQueueContract('KafkaReportQueue', async () => {
  const reportsTopic = uniqueTopic('chorus-contract-reports');
  return { open: (bounds) => openReportQueue(reportsTopic, bounds), cleanup: async () => {} };
});

runModlogContract('KafkaModlog', async () => {
  const modlogTopic = uniqueTopic('chorus-contract-modlog');
  return {
    open: (options) => KafkaModlog.open({ ...options, brokers, topic: modlogTopic, partitions: 3, replicas: 1, maxTotal: 10_000, writeTimeoutMs: 5_000, onError: () => {} }),
    cleanup: async () => {},
  };
});

describe('KafkaModlog across gateways', () => {
  test("an entry appended on one gateway is paged, in the same order, on another", async () => {
    const modlogTopic = uniqueTopic('chorus-modlog-shared');
    const open = () => KafkaModlog.open({ brokers, topic: modlogTopic, partitions: 3, replicas: 1, retentionMs: 3_600_000, maxPerStream: 100, maxTotal: 10_000, now: Date.now, writeTimeoutMs: 5_000, onError: () => {} });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      const entry = (action: 'ban' | 'unban') => ({ action, user: { id: 'u1' }, stream: 's', ts: Date.now(), seq: 0, actor: { id: 'm', name: 'mod' } });
      const first = await a.append(entry('ban'));
      const second = await b.append(entry('unban'));
      await eventually(async () => assert.deepEqual(await b.page('s', { limit: 10 }), [second, first]));
      await eventually(async () => assert.deepEqual(await a.page('s', { limit: 10 }), [second, first]));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('KafkaReportQueue across gateways', () => {
  test("a report added on one gateway is listed, and can be dismissed, on another", async () => {
    const reportsTopic = uniqueTopic('chorus-reports-shared');
    const bounds = { maxPerStream: 100, maxTotal: 100 };
    const [a, b] = await Promise.all([openReportQueue(reportsTopic, bounds), openReportQueue(reportsTopic, bounds)]);
    try {
      const added = await a.add({ stream: 's', messageId: 'm1', reason: 'spam', reporter: { id: 'r1', name: 'r1' }, ts: 1 });
      await eventually(async () => assert.deepEqual((await b.list('s', 10)).map((r) => r.id), [added.id]));
      assert.equal((await b.add({ stream: 's', messageId: 'm1', reason: 'again', reporter: { id: 'r1', name: 'r1' }, ts: 2 })).id, added.id, 'the duplicate is merged on the other gateway too');
      assert.equal(await b.dismiss('s', added.id), true);
      await eventually(async () => assert.deepEqual(await a.list('s', 10), []));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

// Beyond the contract: what one gateway writes, another learns from the topic.
describe('KafkaLog across gateways', () => {
  test("another gateway's appends and retractions reach this one", async () => {
    const a = await openTestLog(brokers, topic);
    const b = await openTestLog(brokers, topic);
    try {
      const s = `shared-${randomUUID()}`;
      const user = { id: 'u1', name: 'u1', badges: [] };
      await a.append([1, 2, 3].map((seq) => ({ message: { id: `${s}-${seq}`, stream: s, seq, ts: Date.now(), user, text: `t${seq}` }, sampled: false })));
      await eventually(async () => assert.deepEqual((await b.latest(s, 10)).messages.map((m) => m.seq), [1, 2, 3]));
      assert.equal(await b.lastSeq(s), 3);
      assert.deepEqual(await a.retract(s, [`${s}-2`]), [`${s}-2`]);
      await eventually(async () => assert.deepEqual((await b.since(s, 0, 10)).messages.map((m) => m.seq), [1, 3]));
      assert.deepEqual((await b.retractUser(s, 'u1', { sinceMs: 0, max: 1_000 })).sort(), [`${s}-1`, `${s}-3`]);
      await eventually(async () => assert.deepEqual((await a.latest(s, 10)).messages, []));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** Retries an assertion every 50 ms for up to 10 s (the other gateway's tail needs a moment). */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
