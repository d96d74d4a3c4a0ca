// Three gateway processes on Redis and Kafka: a message sent to any of them
// reaches viewers on all three, in the same order, with seq strictly
// increasing; history and resume on any gateway agree with what was live.
// Once on the shared Redis server, once on a Redis Cluster of three masters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { OwnRedisCluster } from '../support/redis-cluster.ts';
import { chatter, type ChildServer } from '../support/servers.ts';
import { TestClient, type Frame } from '../support/ws-client.ts';

const STREAM = 'three';
const PER_SENDER = 15;
let gateways: ChildServer[] = [];
async function viewerOn(gateway: ChildServer, join: Record<string, unknown> = {}): Promise<{ client: TestClient; joined: Frame }> {
  const client = await TestClient.connect(gateway.wsUrl);
  client.send({ type: 'join', stream: STREAM, ...join });
  return { client, joined: await client.next('joined') };
}

async function untilLive(client: TestClient, count: number): Promise<Frame[]> {
  const deadline = Date.now() + 15_000;
  while (client.liveMessages(STREAM).length < count) {
    if (Date.now() > deadline) throw new Error(`only ${client.liveMessages(STREAM).length} of ${count} live messages`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return client.liveMessages(STREAM);
}

for (const backend of ['a Redis server', 'a Redis Cluster'] as const) {
  describe(`three gateways on ${backend}`, () => {
    let redisCluster: OwnRedisCluster | undefined;
    before(async () => {
      let env = await clusterEnv();
      if (backend === 'a Redis Cluster') {
        redisCluster = await OwnRedisCluster.start();
        env = { ...env, CHORUS_REDIS_URL: redisCluster.url, CHORUS_REDIS_CLUSTER: 'true', CHORUS_REDIS_SHARDED_PUBSUB: 'true' };
      }
      gateways = await Promise.all([0, 1, 2].map(() => spawnGateway(env, ['--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000'])));
    });
    after(async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await redisCluster?.stop();
    });

  test('a message sent to one of three gateways reaches viewers on all three, in one order, seq strictly increasing', async () => {
    const viewers = await Promise.all(gateways.map((g) => viewerOn(g)));
    const senders = await Promise.all(gateways.map((g, i) => chatter(g, `sender${i}`, {}, STREAM)));
    // Every sender sends at once, so the gateways stamp concurrently.
    const acks = (await Promise.all(senders.map((sender, i) =>
      Promise.all(Array.from({ length: PER_SENDER }, (_, n) => sender.request({ type: 'send', stream: STREAM, text: `from ${i}: ${n}` })))))).flat();
    for (const ack of acks) assert.equal(ack.type, 'ack', JSON.stringify(ack));
    const total = senders.length * PER_SENDER;
    assert.deepEqual(acks.map((a) => a.seq).sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1), 'every seq handed out once');

    const seen = await Promise.all(viewers.map(({ client }) => untilLive(client, total)));
    const order = seen[0]!.map((m) => m.id);
    for (const [i, messages] of seen.entries()) {
      assert.equal(messages.length, total, `viewer on gateway ${i}: no duplicate`);
      assert.deepEqual(messages.map((m) => m.id), order, `viewer on gateway ${i}: the same order`);
      for (let k = 1; k < messages.length; k++) assert.ok(messages[k]!.seq > messages[k - 1]!.seq, `viewer on gateway ${i}: seq increases at ${k}`);
    }
    const ackedIds = new Set(acks.map((a) => a.id));
    assert.ok(order.every((id) => ackedIds.has(id)), 'only acknowledged messages were shown');

    // A late joiner and a resume, each on another gateway than most senders, see the same sequence.
    const late = await viewerOn(gateways[1]!, { history: 500 });
    assert.deepEqual(late.joined.history.map((m: Frame) => m.id), order);
    assert.equal(late.joined.seq, total);
    const resumed = await viewerOn(gateways[2]!, { since: 20 });
    assert.deepEqual(resumed.joined.history.map((m: Frame) => m.id), order.slice(20));
    for (const client of [...viewers.map((v) => v.client), ...senders, late.client, resumed.client]) client.close();
  });
  });
}
