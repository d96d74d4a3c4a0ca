// Two regions as real gateway processes in multi-region mode, on the shared
// Redis and Kafka. Without the regions' own services (npm run services --
// --regions, not built yet when this was written) the MirrorMaker 2 hop is
// left out: region us's log topic is named as eu's mirror of it would be
// (`us.<topic>`), so eu follows it directly. Everything else is the product:
// config, seams, broker, the follower, the fan-out, the v1 frames.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { chatter, type ChildServer } from '../support/servers.ts';
import { TestClient, type Frame } from '../support/ws-client.ts';
import { uniquePrefix } from '../support/redis.ts';

const STREAM = 'regions';
let us: ChildServer;
let eu: ChildServer;

before(async () => {
  const env = await clusterEnv();
  const topic = env.CHORUS_KAFKA_TOPIC!;
  us = await spawnGateway({ ...env, CHORUS_KAFKA_TOPIC: `us.${topic}`, CHORUS_REDIS_KEY_PREFIX: uniquePrefix(), CHORUS_REGION: 'us' });
  eu = await spawnGateway({ ...env, CHORUS_REDIS_KEY_PREFIX: uniquePrefix(), CHORUS_REGION: 'eu', CHORUS_REGION_PEERS: 'us' });
});

after(async () => {
  await Promise.all([us?.stop(), eu?.stop()]);
});

async function viewer(server: ChildServer): Promise<{ client: TestClient; joined: Frame }> {
  const client = await TestClient.connect(server.wsUrl);
  client.send({ type: 'join', stream: STREAM });
  return { client, joined: await client.next('joined') };
}

/** The live line with this id, once it has arrived (bounded: 15 s). */
async function lineWithId(client: TestClient, id: string): Promise<Frame> {
  for (let i = 0; i < 300; i++) {
    const line = client.liveMessages(STREAM).find((m) => m.id === id);
    if (line !== undefined) return line;
    await sleep(50);
  }
  return assert.fail(`line ${id} never arrived`);
}

test('a line sent in region us reaches a viewer in region eu with its origin; each region shows modes.ordering', async () => {
  const inUs = await viewer(us);
  const inEu = await viewer(eu);
  assert.equal(inUs.joined.state.modes.ordering, 'regional');
  assert.equal(inEu.joined.state.modes.ordering, 'regional');
  const sender = await chatter(us, 'ann', {}, STREAM);
  // eu's first start follows us from the moment its consumer group joins: send until a line gets through (bounded).
  let warmups = 0;
  while (inEu.client.liveMessages(STREAM).length === 0) {
    assert.ok(warmups < 100, 'eu never received a line of us');
    await sender.request({ type: 'send', stream: STREAM, text: `warm-up ${warmups++}` });
    await sleep(300);
  }
  const ack = await sender.request({ type: 'send', stream: STREAM, text: 'hello eu' });
  assert.equal(ack.type, 'ack');
  const line = await lineWithId(inEu.client, ack.id);
  assert.equal(line.origin, 'us');
  assert.equal(line.text, 'hello eu');
  assert.equal((await lineWithId(inUs.client, ack.id)).origin, 'us');
  // eu's seq is eu's own: resume in eu from before the line replays it.
  const resumer = await TestClient.connect(eu.wsUrl);
  resumer.send({ type: 'join', stream: STREAM, since: line.seq - 1 });
  const resumed = await resumer.next('joined');
  assert.deepEqual(resumed.history.map((m: Frame) => m.id), [ack.id]);
  for (const client of [inUs.client, inEu.client, sender, resumer]) client.close();
});
