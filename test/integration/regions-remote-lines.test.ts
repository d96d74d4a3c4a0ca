// Remote lines entering a region's order, on real Redis and real Kafka, one
// level below the MirrorMaker 2 test: region us writes its log to the topic
// MirrorMaker 2 would fill in eu's Kafka (`us.<topic>`), so eu follows it as
// it would follow the mirror. What this cannot show (the real mirror, the
// delayed link, separate Kafka clusters) waits for `npm run services -- --regions`.
// Written before src/regions/regional-broker.ts and remote-lines.ts existed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterBroker } from '../../src/broker/cluster-broker.ts';
import { ClusterLog } from '../../src/broker/cluster-log.ts';
import { RecentWindow } from '../../src/broker/recent-window.ts';
import type { Draft } from '../../src/broker/broker.ts';
import type { BusEvent } from '../../src/bus/bus.ts';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import { KafkaLogTail, regionRecordOf } from '../../src/log/kafka-log-tail.ts';
import type { KafkaLog } from '../../src/log/kafka-log.ts';
import type { Message } from '../../src/protocol/types.ts';
import { HybridClock, parseHlc } from '../../src/regions/hlc.ts';
import { RegionalBroker } from '../../src/regions/regional-broker.ts';
import { RemoteLines, mirroredTopic } from '../../src/regions/remote-lines.ts';
import { admitOnArrival } from '../../src/regions/remote-intake.ts';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { REDIS_URL, deleteKeys, redisForTests, uniquePrefix } from '../support/redis.ts';

const brokers = await ensureKafka();
const TOPIC = uniqueTopic('chorus-regions');

interface Region {
  name: string;
  broker: RegionalBroker;
  cluster: ClusterBroker;
  kafka: KafkaLog;
  history: ClusterLog;
  bus: RedisBus;
  window: RecentWindow;
  prefix: string;
  close(): Promise<void>;
}

/** A region's gateway: its own Redis key space and its own log topic (`topic`). */
async function openRegion(name: string, topic: string): Promise<Region> {
  const prefix = uniquePrefix();
  const redis = { url: REDIS_URL, cluster: false, keyPrefix: prefix, commandTimeoutMs: 2_000, onError: () => {} };
  const kafka = await openTestLog(brokers, topic);
  const window = await RecentWindow.connect({ ...redis, sharded: false, capacity: 1_000, idleMs: 60_000 });
  const bus = await RedisBus.connect({ ...redis, sharded: false, onHandlerError: () => {} });
  const history = new ClusterLog(kafka, window);
  const cluster = new ClusterBroker({ window, kafka, history, bus, onError: () => {} });
  const broker = new RegionalBroker(cluster, new HybridClock(name));
  return {
    name, broker, cluster, kafka, history, bus, window, prefix,
    close: async () => {
      await Promise.all([bus.close(), window.close()]);
      await kafka.close();
      const admin = await redisForTests();
      await deleteKeys(admin, prefix);
      await admin.quit();
    },
  };
}

function follow(region: Region, peers: string[], group = 'gateways'): RemoteLines {
  return new RemoteLines({
    region: region.name, peers, topic: TOPIC,
    tail: (topic) => new KafkaLogTail({ brokers, topic, retryMs: 200, decode: regionRecordOf }),
    intake: admitOnArrival(region.cluster),
    clock: new HybridClock(region.name),
    group,
    onError: () => {},
  });
}

function draft(stream: string, text: string): Draft {
  return { id: randomUUID(), stream, ts: Date.now(), user: { id: 'u1', name: 'Ann', badges: [] }, text };
}

async function watch(region: Region, stream: string): Promise<Message[]> {
  const lines: Message[] = [];
  await region.bus.subscribe(stream, (_s, event: BusEvent) => {
    if (event.kind === 'msg') lines.push(event.message);
  });
  return lines;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

let us: Region;
let eu: Region;

before(async () => {
  // us's log is the topic eu's mirror of us would be.
  us = await openRegion('us', mirroredTopic('us', TOPIC));
  eu = await openRegion('eu', TOPIC);
});

after(async () => {
  await us.close();
  await eu.close();
});

test('a line sent in us reaches eu\'s viewers and history with its id, origin and ts, under a seq of eu\'s own', async () => {
  const remote = follow(eu, ['us']);
  try {
    await remote.ready();
    const stream = `s-${randomUUID()}`;
    // eu has lines of its own already: us's line takes eu's next seq, not us's.
    await eu.broker.publish(draft(stream, 'eu one'), false);
    await eu.broker.publish(draft(stream, 'eu two'), false);
    const seenInEu = await watch(eu, stream);
    const sent = await us.broker.publish(draft(stream, 'hello from us'), false);
    assert.equal(sent.origin, 'us');
    assert.equal(sent.seq, 1);
    await until(() => seenInEu.length === 1, 'the line in eu');
    const arrived = seenInEu[0]!;
    assert.deepEqual({ ...arrived, seq: 0 }, { ...sent, seq: 0 });
    assert.equal(arrived.seq, 3);
    const page = await eu.history.since(stream, 0, 10);
    assert.deepEqual(page.messages.map((m) => [m.seq, m.origin, m.text]), [[1, 'eu', 'eu one'], [2, 'eu', 'eu two'], [3, 'us', 'hello from us']]);
    // Stored in eu's own log too (history below the window, resume after the window is gone).
    await until(async () => (await eu.kafka.since(stream, 2, 10)).messages.length === 1, 'the line in eu\'s Kafka log');
    assert.equal((await eu.kafka.message(stream, sent.id))?.origin, 'us');
  } finally {
    await remote.close();
  }
});

test('the HLC stamp travels with the line in the log, and the receiving clock moves past it', async () => {
  const clock = new HybridClock('eu', () => 0);
  const remote = new RemoteLines({
    region: 'eu', peers: ['us'], topic: TOPIC, group: 'clock',
    tail: (topic) => new KafkaLogTail({ brokers, topic, retryMs: 200, decode: regionRecordOf }),
    intake: { prepare: async () => {}, line: async () => undefined, watermark: () => {} },
    clock,
    onError: () => {},
  });
  try {
    await remote.ready();
    const sent = await us.broker.publish(draft(`s-${randomUUID()}`, 'stamped'), false);
    await until(() => clock.now().wall > 0, 'the clock to observe the stamp');
    const stamp = clock.now();
    assert.ok(stamp.wall >= sent.ts - 1000, `clock ${stamp.wall} should have moved near ${sent.ts}`);
    assert.equal(parseHlc('x'), undefined);
  } finally {
    await remote.close();
  }
});

test('a line arriving twice (the mirror delivers at least once), or taken by two gateways, enters eu once', async () => {
  const a = follow(eu, ['us'], 'gateway-a');
  const b = follow(eu, ['us'], 'gateway-b');
  try {
    await Promise.all([a.ready(), b.ready()]);
    const stream = `s-${randomUUID()}`;
    const seenInEu = await watch(eu, stream);
    const sent = await us.broker.publish(draft(stream, 'once'), false);
    // The same record again in the topic, as a redelivery would put it.
    await us.kafka.append([{ message: sent, sampled: false }]);
    await us.broker.publish(draft(stream, 'after'), false);
    await until(() => seenInEu.length >= 2, 'both lines in eu');
    await sleep(500);
    assert.deepEqual(seenInEu.map((m) => m.text), ['once', 'after']);
    assert.deepEqual((await eu.history.since(stream, 0, 10)).messages.map((m) => m.text), ['once', 'after']);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('lines of other origins in the peer\'s log (what the peer took in, ours included) are not taken again from it', async () => {
  const remote = follow(eu, ['us']);
  try {
    await remote.ready();
    const stream = `s-${randomUUID()}`;
    const seenInEu = await watch(eu, stream);
    // us's log holds lines us admitted from eu and from ap: they come to eu from their own origins.
    await us.cluster.admit({ ...draft(stream, 'eu line in us'), origin: 'eu' }, false, 60_000);
    await us.cluster.admit({ ...draft(stream, 'ap line in us'), origin: 'ap' }, false, 60_000);
    await us.broker.publish(draft(stream, 'us line'), false);
    await until(() => seenInEu.length >= 1, 'the us line');
    await sleep(500);
    assert.deepEqual(seenInEu.map((m) => m.text), ['us line']);
  } finally {
    await remote.close();
  }
});

test('lines sent while eu follows nothing arrive when it follows again (its group\'s position is kept)', async () => {
  const stream = `s-${randomUUID()}`;
  const first = follow(eu, ['us'], 'restart');
  await first.ready();
  await first.close();
  const sent = await us.broker.publish(draft(stream, 'while eu was down'), false);
  const seenInEu = await watch(eu, stream);
  const again = follow(eu, ['us'], 'restart');
  try {
    await again.ready();
    await until(() => seenInEu.length === 1, 'the line sent meanwhile');
    assert.equal(seenInEu[0]!.id, sent.id);
  } finally {
    await again.close();
  }
});

test('sampled-out lines of us are stored in eu but not shown, as in us', async () => {
  const remote = follow(eu, ['us']);
  try {
    await remote.ready();
    const stream = `s-${randomUUID()}`;
    const seenInEu = await watch(eu, stream);
    const hidden = await us.broker.publish(draft(stream, 'sampled out'), true);
    await us.broker.publish(draft(stream, 'shown'), false);
    await until(() => seenInEu.length === 1, 'the shown line');
    assert.equal(seenInEu[0]!.text, 'shown');
    await until(async () => (await eu.kafka.range(stream, 0, Date.now() + 1, 10, true)).some((m) => m.id === hidden.id), 'the sampled line stored in eu');
  } finally {
    await remote.close();
  }
});
