// The Kafka broker is killed (SIGKILL) and restarted while appends flow: every
// acknowledged message is still there afterwards, and appends during the
// outage resolve or reject within a bound (so the chat path can answer
// `unavailable`). Runs its own broker on its own ports, not the shared one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafka, stopKafka } from '../../scripts/services/kafka-broker.ts';
import { openTestLog, uniqueTopic } from '../support/kafka.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const PORT = 19192;
const APPEND_TIMEOUT_MS = 3000;
const broker = { port: PORT, stateDir: tempDir('chorus-kafka-fault-') };
const brokers = [`127.0.0.1:${PORT}`];

before(async () => {
  await startKafka(broker);
});
after(async () => {
  await stopKafka(broker);
  removeDir(broker.stateDir);
});

test('a broker restart loses nothing acknowledged; appends during the outage settle within a bound', async (t) => {
  const topic = uniqueTopic('chorus-fault');
  const stream = `fault-${randomUUID()}`;
  let tailErrors = 0;
  const log = await openTestLog(brokers, topic, { appendTimeoutMs: APPEND_TIMEOUT_MS, onError: () => tailErrors++ });
  const acked: number[] = [];
  const refused: number[] = [];
  let slowest = 0;
  let nextSeq = 1;
  let killedAt = 0;
  let restartedAt = 0;
  let firstAckAfterRestart = 0;

  const append = async (): Promise<void> => {
    const seq = nextSeq++;
    const started = Date.now();
    try {
      await log.append([{ message: { id: `m-${seq}`, stream, seq, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text: `line ${seq}` }, sampled: false }]);
      acked.push(seq);
      if (restartedAt > 0 && firstAckAfterRestart === 0) firstAckAfterRestart = Date.now();
    } catch {
      refused.push(seq);
    } finally {
      slowest = Math.max(slowest, Date.now() - started);
    }
  };
  // Four senders, each one append at a time, until told to stop (bounded by the deadline).
  let stop = false;
  const deadline = Date.now() + 120_000;
  const senders = Array.from({ length: 4 }, async () => {
    while (!stop && Date.now() < deadline) {
      await append();
      await sleep(5);
    }
  });

  try {
    while (acked.length < 200) await sleep(20);
    await stopKafka(broker, true);
    killedAt = Date.now();
    await sleep(APPEND_TIMEOUT_MS + 1000);
    const refusedWhileDown = refused.length;
    const restartBegan = Date.now();
    await startKafka(broker);
    restartedAt = Date.now();
    const ackedAtRestart = acked.length;
    while (acked.length < ackedAtRestart + 200 && Date.now() < deadline) await sleep(20);
    stop = true;
    await Promise.all(senders);

    t.diagnostic(`outage: broker down ${restartBegan - killedAt} ms, restart took ${restartedAt - restartBegan} ms`);
    t.diagnostic(`healed: first ack ${firstAckAfterRestart - restartedAt} ms after the broker answered again (${firstAckAfterRestart - killedAt} ms after the kill)`);
    t.diagnostic(`appends: ${acked.length} acknowledged, ${refused.length} refused, slowest settled in ${slowest} ms; ${tailErrors} failed tail fetches retried`);
    assert.ok(refusedWhileDown > 0, 'appends during the outage were refused');
    assert.ok(firstAckAfterRestart > 0, 'appends succeed again after the restart');
    // Bound: the append timeout, plus slack for a loaded machine; never an unbounded wait.
    assert.ok(slowest <= APPEND_TIMEOUT_MS + 2000, `every append settled within the bound (slowest ${slowest} ms)`);

    // A fresh reader builds its index from the topic: everything acknowledged is there.
    const reader = await openTestLog(brokers, topic);
    try {
      const stored = new Set((await reader.since(stream, 0, 100_000)).messages.map((m) => m.seq));
      const lost = acked.filter((seq) => !stored.has(seq));
      assert.deepEqual(lost, [], 'no acknowledged message is lost');
      assert.ok((await reader.lastSeq(stream)) >= Math.max(...acked));
    } finally {
      await reader.close();
    }
  } finally {
    stop = true;
    await Promise.all(senders);
    await log.close();
  }
});
