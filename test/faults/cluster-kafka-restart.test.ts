// Fault: the Kafka broker under three gateway processes is killed (SIGKILL)
// and restarted while chat flows. Every send is answered within the append
// timeout (an ack, or `unavailable`); nothing acknowledged is lost, on any
// gateway; viewers see no line twice and every acknowledged line. Runs its
// own broker on its own ports, not the shared one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafka, stopKafka } from '../../scripts/services/kafka-broker.ts';
import { ResumingViewer, Sender, viewerProblems } from '../support/chat-flow.ts';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { chatter, type ChildServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { TestClient, type Frame } from '../support/ws-client.ts';

const PORT = 19196;
const APPEND_TIMEOUT_MS = 3_000;
const STREAM = 'kafka-fault';
const broker = { port: PORT, stateDir: tempDir('chorus-kafka-cluster-fault-') };
const FLAGS = ['--rate-limit-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000', '--resume-max', '5000'];
let gateways: ChildServer[] = [];

before(async () => {
  await startKafka(broker);
  const env = { ...(await clusterEnv()), CHORUS_KAFKA_BROKERS: `127.0.0.1:${PORT}`, CHORUS_KAFKA_APPEND_TIMEOUT_MS: String(APPEND_TIMEOUT_MS) };
  gateways = await Promise.all([0, 1, 2].map(() => spawnGateway(env, FLAGS)));
});

after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await stopKafka(broker);
  removeDir(broker.stateDir);
});

test('Kafka restart under three gateways: sends answered within the bound, nothing acknowledged lost', async (t) => {
  const viewers = await Promise.all(gateways.map((g) => ResumingViewer.open(g.wsUrl, STREAM)));
  const senders = await Promise.all(gateways.map(async (g, i) => new Sender(await chatter(g, `sender${i}`, {}, STREAM), STREAM, `via ${i}`)));
  for (const sender of senders) sender.start(50, 120_000);
  await sleep(1_000);

  await stopKafka(broker, true);
  const killedAt = Date.now();
  await sleep(APPEND_TIMEOUT_MS + 1_000);
  await startKafka(broker);
  const backAt = Date.now();
  const ackedAfter = () => senders.flatMap((s) => s.acked()).filter((r) => r.at >= backAt);
  const deadline = Date.now() + 60_000;
  while (ackedAfter().length < 30 && Date.now() < deadline) await sleep(50);
  for (const sender of senders) await sender.stop();
  await sleep(1_000);

  const results = senders.flatMap((s) => s.results);
  const acked = senders.flatMap((s) => s.acked());
  const firstAck = Math.min(...ackedAfter().map((r) => r.at + r.answerMs));
  const slowest = Math.max(...results.map((r) => r.answerMs));
  const refused = results.filter((r) => r.id === undefined);
  t.diagnostic(`broker down ${backAt - killedAt} ms (kill to answering again); first ack ${firstAck - backAt} ms after it answered`);
  t.diagnostic(`sends: ${results.length}, acknowledged ${acked.length}, refused ${refused.length} (${[...new Set(refused.map((r) => r.code))].join(', ')}); slowest answer ${slowest} ms`);
  assert.ok(refused.length > 0, 'sends during the outage were refused');
  assert.deepEqual([...new Set(refused.map((r) => r.code))], ['unavailable']);
  assert.ok(ackedAfter().length >= 30, 'sends are acknowledged again after the restart');
  assert.ok(slowest <= APPEND_TIMEOUT_MS + 2_000, `every send was answered within the bound (slowest ${slowest} ms)`);
  for (const [i, viewer] of viewers.entries()) assert.deepEqual(viewerProblems(viewer, acked), [], `viewer on gateway ${i}`);

  // Nothing acknowledged is lost: every gateway's history has every acknowledged line.
  for (const [i, gateway] of gateways.entries()) {
    const client = await TestClient.connect(gateway.wsUrl);
    client.send({ type: 'join', stream: STREAM, since: 0 });
    const joined = await client.next('joined', () => true, 15_000);
    const stored = new Set(joined.history.map((m: Frame) => m.id));
    assert.deepEqual(acked.filter((r) => !stored.has(r.id!)).map((r) => r.seq), [], `gateway ${i}: no acknowledged line missing from history`);
    client.close();
  }
  for (const viewer of viewers) viewer.close();
  for (const sender of senders) sender.client.close();
});
