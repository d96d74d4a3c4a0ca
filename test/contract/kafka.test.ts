// Runs the durable log contract against KafkaLog on a real broker, one fresh topic per run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { runLogContract } from './log.contract.ts';

const brokers = await ensureKafka();
const topic = uniqueTopic('chorus-contract');

runLogContract('KafkaLog', async () => ({
  open: () => openTestLog(brokers, topic),
  // The topic is shared by the run's tests (each uses its own streams) and expires by retention.
  cleanup: async () => {},
}));

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
      assert.deepEqual((await b.retractUser(s, 'u1')).sort(), [`${s}-1`, `${s}-3`]);
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
