// Three regions, each with its own Redis and Kafka, MirrorMaker 2 between
// them through the delaying links, as `npm run services -- --regions
// us,eu,ap --json` starts them (the pinned command; reused when running, stopped after
// the file when it started them; this
// test cuts no link). One gateway per region in multi-region mode:
// a line sent in any region reaches viewers in every region, once, with its
// origin. Needs the regions half of `npm run services` (branch regions-infra).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';
import { uniquePrefix } from '../support/redis.ts';
import { SHARED_REGIONS, startRegionServices, type RunningRegions } from '../support/regions.ts';

const REGIONS = SHARED_REGIONS;
type Region = (typeof REGIONS)[number];
const STREAM = 'mirror';
// MirrorMaker 2 copies the topics named `chorus.*`; a topic of this run's own.
const TOPIC = `chorus.test-${randomUUID()}`;
const gateways = new Map<Region, TestServer>();
/** Each region's gateway flags, to start it again. */
const flags = new Map<Region, string[]>();
let services: RunningRegions<Region>;

before(async () => {
  services = startRegionServices(REGIONS);
  // In this process (three servers, each from its own config): three gateway processes loading at once
  // on a busy two-core machine outlast the child start timeout.
  for (const region of REGIONS) {
    const { redisUrl, kafkaBrokers } = services.regions[region];
    flags.set(region, [
      '--redis-url', redisUrl, '--kafka-brokers', kafkaBrokers, '--kafka-topic', TOPIC, '--kafka-partitions', '3',
      '--redis-key-prefix', uniquePrefix(), '--region', region, '--region-peers', REGIONS.filter((r) => r !== region).join(','),
      '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000',
    ]);
    gateways.set(region, await startTestServer(flags.get(region)!));
  }
}, { timeout: 900_000 });

after(async () => {
  await Promise.all([...gateways.values()].map((g) => g.stop()));
  services?.release();
});

async function viewer(region: Region): Promise<TestClient> {
  const client = await TestClient.connect(gateways.get(region)!.wsUrl);
  client.send({ type: 'join', stream: STREAM });
  await client.next('joined');
  return client;
}

const idsFrom = (client: TestClient, origin: Region): string[] => client.liveMessages(STREAM).filter((m) => m.origin === origin).map((m) => m.id as string);

test('a line sent in any region reaches viewers in every region, once, with its origin', { timeout: 300_000 }, async () => {
  const viewers = new Map(await Promise.all(REGIONS.map(async (r) => [r, await viewer(r)] as const)));
  const senders = new Map(await Promise.all(REGIONS.map(async (r) => [r, await chatter(gateways.get(r)!, `sender_${r}`, {}, STREAM)] as const)));
  // The mirror finds a new topic within seconds, and a region's first follow starts at the mirror's newest
  // line: each region sends until every other region shows one of its lines (bounded).
  for (const from of REGIONS) {
    for (let i = 0; REGIONS.some((to) => to !== from && idsFrom(viewers.get(to)!, from).length === 0); i++) {
      assert.ok(i < 200, `lines of ${from} never reached every region`);
      await senders.get(from)!.request({ type: 'send', stream: STREAM, text: `warm-up ${i}` });
      await sleep(500);
    }
  }
  const sent = new Map<Region, Array<{ id: string; at: number }>>();
  for (const from of REGIONS) {
    const acks: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < 10; i++) {
      const ack = await senders.get(from)!.request({ type: 'send', stream: STREAM, text: `${from} ${i}` });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      acks.push({ id: ack.id as string, at: Date.now() });
    }
    sent.set(from, acks);
  }
  for (const to of REGIONS) {
    const client = viewers.get(to)!;
    for (const from of REGIONS) {
      const want = sent.get(from)!.map((a) => a.id);
      for (let i = 0; !want.every((id) => idsFrom(client, from).includes(id)); i++) {
        assert.ok(i < 600, `${to} is missing lines of ${from}`);
        await sleep(50);
      }
    }
  }
  await sleep(2_000);
  for (const to of REGIONS) {
    const live = viewers.get(to)!.liveMessages(STREAM);
    const ids = live.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, `no line twice in ${to}`);
    const seqs = live.map((m) => m.seq as number);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${to}: seqs increase`);
    for (const from of REGIONS) {
      // Each origin's lines keep that origin's order in every region.
      const order = sent.get(from)!.map((a) => a.id);
      assert.deepEqual(idsFrom(viewers.get(to)!, from).filter((id) => order.includes(id)), order, `${to} shows ${from}'s lines in ${from}'s order`);
    }
  }
  for (const client of [...viewers.values(), ...senders.values()]) client.close();
});

test('lines sent in us while eu\'s gateway is down reach eu when it is back, and a viewer resumes in eu by eu\'s seq', { timeout: 300_000 }, async () => {
  const since = await lastSeqIn('eu');
  await gateways.get('eu')!.stop();
  const sender = await chatter(gateways.get('us')!, 'sender_us', {}, STREAM);
  const sent: string[] = [];
  for (let i = 0; i < 5; i++) {
    const ack = await sender.request({ type: 'send', stream: STREAM, text: `while eu was down ${i}` });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    sent.push(ack.id as string);
  }
  sender.close();
  gateways.set('eu', await startTestServer(flags.get('eu')!));
  // eu's consumer group resumes from its committed position: the lines come, then a resume finds them.
  for (let i = 0; ; i++) {
    const client = await TestClient.connect(gateways.get('eu')!.wsUrl);
    client.send({ type: 'join', stream: STREAM, since });
    const joined = await client.next('joined');
    client.close();
    const ids = (joined.history as Array<{ id: string; origin: string }>).map((m) => m.id);
    if (sent.every((id) => ids.includes(id))) {
      assert.equal(new Set(ids).size, ids.length, 'no line twice in the resume');
      assert.deepEqual(ids.filter((id) => sent.includes(id)), sent, 'in us\'s order');
      break;
    }
    assert.ok(i < 120, `eu resumed without every line sent while it was down: ${sent.filter((id) => !ids.includes(id)).length} missing`);
    await sleep(500);
  }
});

/** The stream's newest seq in a region, as a join tells it. */
async function lastSeqIn(region: Region): Promise<number> {
  const client = await TestClient.connect(gateways.get(region)!.wsUrl);
  client.send({ type: 'join', stream: STREAM, history: 0 });
  const joined = await client.next('joined');
  client.close();
  return joined.seq as number;
}
