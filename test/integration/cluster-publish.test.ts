// Cluster-mode publishing and reading against real Redis and Kafka: the
// recent window, the log in front of Kafka, and the broker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import type { Draft } from '../../src/broker/broker.ts';
import { ClusterLog } from '../../src/broker/cluster-log.ts';
import { ClusterBroker } from '../../src/broker/cluster-broker.ts';
import { RecentWindow } from '../../src/broker/recent-window.ts';
import type { KafkaLog } from '../../src/log/kafka-log.ts';
import type { DurableLog } from '../../src/log/log.ts';
import type { RedisClientType } from '@redis/client';
import { ensureKafka, openTestLog, uniqueTopic } from '../support/kafka.ts';
import { OwnRedis, REDIS_URL, deleteKeys, redisForTests, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix();
let brokers: string[];
let topic: string;
let kafka: KafkaLog;
let redis: RedisClientType;
let bus: RedisBus;
const windows: RecentWindow[] = [];

async function openWindow(capacity = 100): Promise<RecentWindow> {
  const window = await RecentWindow.connect({ url: REDIS_URL, cluster: false, keyPrefix: prefix, sharded: false, commandTimeoutMs: 2_000, capacity, idleMs: 60_000, onError: () => {} });
  windows.push(window);
  return window;
}

function draft(stream: string, text: string, user = 'u1'): Draft {
  return { id: randomUUID(), stream, ts: Date.now(), user: { id: user, name: user, badges: [] }, text };
}

/** Every event the bus carries for `stream`, from now on. */
async function watch(stream: string): Promise<BusEvent[]> {
  const events: BusEvent[] = [];
  await bus.subscribe(stream, (_s, event) => events.push(event));
  return events;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The broker's cleanup must not fail in these tests. */
const failOnError = (err: unknown): never => assert.fail(err as Error);

/** A gateway's broker on `window`, appending to `log` (the shared Kafka log unless given). */
function brokerOn(window: RecentWindow, log: DurableLog = kafka, onError: (err: unknown) => void = failOnError): ClusterBroker {
  return new ClusterBroker({ window, kafka: log, history: new ClusterLog(kafka, window), bus, onError });
}

const seqsOf = (messages: Array<{ seq: number }>): number[] => messages.map((m) => m.seq);

before(async () => {
  brokers = await ensureKafka();
  topic = uniqueTopic('chorus-cluster');
  kafka = await openTestLog(brokers, topic);
  redis = await redisForTests();
  bus = await RedisBus.connect({ url: REDIS_URL, cluster: false, keyPrefix: prefix, sharded: false, commandTimeoutMs: 2_000, onError: () => {}, onHandlerError: () => {} });
});

after(async () => {
  await Promise.all(windows.map((w) => w.close()));
  await bus.close();
  await kafka.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('cluster publishing', () => {
  test('brokers on several gateways: the bus carries seq order, and every message is in the window and then in Kafka', async () => {
    const stream = `s-${randomUUID()}`;
    const events = await watch(stream);
    const gateways = [await openWindow(), await openWindow(), await openWindow()].map((w) => brokerOn(w));
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => gateways[i % 3]!.publish(draft(stream, `m${i}`), false)));
    assert.deepEqual(seqsOf(sent).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
    await eventually(() => events.length === 30, '30 bus events');
    const published = events.map((e) => (e.kind === 'msg' ? e.message : assert.fail(`unexpected ${e.kind}`)));
    assert.deepEqual(seqsOf(published), Array.from({ length: 30 }, (_, i) => i + 1), 'bus order is seq order');
    assert.deepEqual(published.find((m) => m.seq === 5), sent.find((m) => m.seq === 5), 'the published message is the acknowledged one');
    const window = await windows[0]!.read(stream);
    assert.deepEqual(seqsOf(window.messages), seqsOf(published));
    assert.equal(window.seq, 30);
    assert.equal(window.from, 1);
    assert.equal(await kafka.lastSeq(stream), 30, 'every commit resolved after Kafka had it');
  });

  test('a sampled message takes a seq and goes to Kafka, never to the bus or the window', async () => {
    const stream = `s-${randomUUID()}`;
    const events = await watch(stream);
    const broker = brokerOn(await openWindow());
    await broker.publish(draft(stream, 'shown'), false);
    const hidden = await broker.publish(draft(stream, 'sampled'), true);
    await broker.publish(draft(stream, 'shown again'), false);
    assert.equal(hidden.seq, 2);
    await eventually(() => events.length === 2, 'two bus events');
    assert.deepEqual(events.map((e) => (e.kind === 'msg' ? e.message.seq : 0)), [1, 3]);
    assert.deepEqual(seqsOf((await windows.at(-1)!.read(stream)).messages), [1, 3]);
    assert.deepEqual(seqsOf(await kafka.range(stream, 0, Date.now() + 1, 10, true)), [1, 2, 3]);
  });

  test('when Kafka refuses a message after it was shown, it is retracted as `unstored` and the sender is refused', async () => {
    const stream = `s-${randomUUID()}`;
    const events = await watch(stream);
    const broken = await openTestLog(brokers, topic);
    await broken.close(); // a log that refuses every append
    const errors: unknown[] = [];
    const broker = brokerOn(await openWindow(), broken, (err) => errors.push(err));
    await assert.rejects(broker.publish(draft(stream, 'lost'), false));
    await eventually(() => events.length === 2, 'the message and its retraction');
    const [shown, retracted] = events;
    assert.equal(shown!.kind, 'msg');
    assert.deepEqual(retracted, { kind: 'retract', ids: [(shown as { message: { id: string } }).message.id], reason: 'unstored' });
    await eventually(() => errors.length === 0, 'no cleanup error');
    const window = await windows.at(-1)!.read(stream);
    assert.deepEqual(window.messages, [], 'gone from the window');
  });

  test('a stamp Redis runs only after its deadline: the sender is refused, and the line it showed after all is retracted as `unstored`', async () => {
    // A Redis of its own, to hang without stalling the other tests.
    const own = await OwnRedis.start();
    const ownBus = await RedisBus.connect({ url: own.url, cluster: false, keyPrefix: prefix, sharded: false, commandTimeoutMs: 2_000, onError: () => {}, onHandlerError: () => {} });
    const window = await RecentWindow.connect({ url: own.url, cluster: false, keyPrefix: prefix, sharded: false, commandTimeoutMs: 150, capacity: 100, idleMs: 60_000, onError: () => {} });
    try {
      const stream = `s-${randomUUID()}`;
      const events: BusEvent[] = [];
      await ownBus.subscribe(stream, (_s, event) => events.push(event));
      const errors: unknown[] = [];
      const broker = new ClusterBroker({ window, kafka, history: new ClusterLog(kafka, window), bus: ownBus, onError: (err) => errors.push(err) });
      const first = await broker.publish(draft(stream, 'on time'), false); // the stream has its counter: the late stamp shows its line
      await eventually(() => events.length === 1, 'the first message');
      // Redis hangs with the stamp script sent; it runs the script when it resumes, past the deadline.
      own.pause(true);
      await assert.rejects(broker.publish(draft(stream, 'late'), false), /did not answer within/);
      own.pause(false);
      await eventually(() => events.length === 3, 'the late message and its retraction');
      const [, shown, retracted] = events;
      assert.equal(shown!.kind, 'msg');
      assert.deepEqual(retracted, { kind: 'retract', ids: [(shown as { message: { id: string } }).message.id], reason: 'unstored' });
      assert.deepEqual((await window.read(stream)).messages.map((m) => m.id), [first.id], 'gone from the window');
      assert.deepEqual((await kafka.range(stream, 0, Date.now() + 1, 10, true)).map((m) => m.id), [first.id], 'never stored');
      assert.deepEqual(errors, []);
    } finally {
      own.pause(false);
      await window.close();
      await ownBus.close();
      await own.kill();
    }
  });

  test('a counter Redis lost restarts well above the newest seq in Kafka', async () => {
    const stream = `s-${randomUUID()}`;
    const broker = brokerOn(await openWindow());
    await broker.publish(draft(stream, 'a'), false);
    await broker.publish(draft(stream, 'b'), false);
    await redis.del(`${prefix}{${stream}}:seq`);
    const next = await broker.publish(draft(stream, 'c'), false);
    assert.equal(next.seq, 2 + 100_000 + 1);
  });
});

describe('ClusterLog reads: Kafka below the window, the window above', () => {
  test('messages not yet in Kafka are read from the window; older ones, trimmed from it, from Kafka', async () => {
    const stream = `s-${randomUUID()}`;
    const window = await openWindow(3);
    const log = new ClusterLog(kafka, window);
    const broker = brokerOn(window);
    for (let i = 1; i <= 5; i++) await broker.publish(draft(stream, `stored ${i}`), false);
    // Three more only stamped and shown, as if their Kafka appends were still under way.
    for (let i = 6; i <= 8; i++) assert.equal(await window.stamp(draft(stream, `in flight ${i}`), true, undefined), i);
    const snapshot = await window.read(stream);
    assert.deepEqual(seqsOf(snapshot.messages), [6, 7, 8]);
    assert.equal(snapshot.from, 6, 'the window vouches for seq 6 on');
    assert.deepEqual(seqsOf((await log.latest(stream, 10)).messages), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(seqsOf((await log.latest(stream, 4)).messages), [5, 6, 7, 8]);
    assert.deepEqual(seqsOf((await log.latest(stream, 2)).messages), [7, 8]);
    assert.deepEqual(seqsOf((await log.since(stream, 2, 10)).messages), [3, 4, 5, 6, 7, 8]);
    assert.deepEqual(seqsOf((await log.since(stream, 2, 2)).messages), [3, 4]);
    assert.deepEqual(seqsOf((await log.since(stream, 4, 3)).messages), [5, 6, 7]);
    assert.deepEqual(seqsOf((await log.since(stream, 6, 10)).messages), [7, 8]);
    assert.equal((await log.latest(stream, 1)).lastSeq, 8);
    assert.equal(await log.lastSeq(stream), 8);
  });

  test('a retraction takes messages out of Kafka and the window alike', async () => {
    const stream = `s-${randomUUID()}`;
    const window = await openWindow();
    const log = new ClusterLog(kafka, window);
    const broker = brokerOn(window);
    const stored = await broker.publish(draft(stream, 'stored', 'bad'), false);
    const other = await broker.publish(draft(stream, 'other', 'good'), false);
    const id = randomUUID();
    await window.stamp({ ...draft(stream, 'in flight', 'bad'), id }, true, undefined);
    assert.deepEqual((await log.retractUser(stream, 'bad', { sinceMs: 0, max: 1_000 })).sort(), [stored.id, id].sort());
    assert.deepEqual((await log.latest(stream, 10)).messages.map((m) => m.id), [other.id]);
    assert.deepEqual(await log.retract(stream, [other.id]), [other.id]);
    assert.deepEqual((await log.since(stream, 0, 10)).messages, []);
  });

  test('sends of one stream in the same turn are stamped by one script call per 64 (group commit), in the order they were made', async () => {
    const stream = `s-${randomUUID()}`;
    const window = await openWindow(1_000);
    const events = await watch(stream);
    await window.stamp(draft(stream, 'first'), true, 0);
    const watcher = redis.duplicate();
    await watcher.connect();
    const calls: string[] = [];
    const marker = `${prefix}{${stream}}:monitor-marker`;
    let markerSeen: () => void = () => {};
    const markerArrived = new Promise<void>((resolve) => (markerSeen = resolve));
    try {
      await watcher.monitor((line) => {
        if (line.includes(marker)) markerSeen();
        else if (line.includes(stream) && /\] "(evalsha|eval)"/i.test(line)) calls.push(line);
      });
      // Every third one sampled: stamped, never kept nor published.
      const seqs = await Promise.all(Array.from({ length: 100 }, (_, i) => window.stamp(draft(stream, `line ${i}`), i % 3 !== 0, undefined)));
      assert.deepEqual(seqs, Array.from({ length: 100 }, (_, i) => i + 2));
      await redis.get(marker);
      await Promise.race([markerArrived, new Promise((_, reject) => setTimeout(() => reject(new Error('MONITOR never showed the marker')), 5_000).unref())]);
      assert.equal(calls.length, 2, calls.join('\n'));
    } finally {
      watcher.destroy();
    }
    const kept = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => i + 2);
    await eventually(() => events.length === kept.length + 1, 'the kept lines on the bus');
    assert.deepEqual(events.map((e) => (e.kind === 'msg' ? e.message.seq : -1)), [1, ...kept], 'the bus carries the kept ones in seq order');
    assert.deepEqual(seqsOf((await window.read(stream)).messages), [1, ...kept]);
  });

  test('local and once-only (remote) stamps of one turn take seqs in the order asked; a repeat of a once-only id is a duplicate', async () => {
    const stream = `s-${randomUUID()}`;
    const window = await openWindow();
    await window.stamp(draft(stream, 'first'), true, 0);
    const remote = draft(stream, 'from another region');
    const seqs = await Promise.all([window.stamp(draft(stream, 'a'), true, undefined), window.stampOnce(remote, true, undefined, 60_000), window.stamp(draft(stream, 'b'), true, undefined)]);
    assert.deepEqual(seqs, [2, 3, 4]);
    assert.deepEqual(await Promise.all([window.stampOnce(remote, true, undefined, 60_000), window.stamp(draft(stream, 'c'), true, undefined)]), ['duplicate', 5]);
  });

  test('reads of one stream asked for in the same turn share one Redis round trip and see what was stamped before them', async () => {
    const stream = `s-${randomUUID()}`;
    const window = await openWindow();
    await window.stamp(draft(stream, 'one'), true, 0);
    const reads = Array.from({ length: 50 }, () => window.read(stream));
    assert.equal(new Set(reads).size, 1, 'one shared read');
    assert.deepEqual(seqsOf((await reads[0]!).messages), [1]);
    await window.stamp(draft(stream, 'two'), true, undefined);
    assert.deepEqual(seqsOf((await window.read(stream)).messages), [1, 2], 'a later read is a new one');
  });
});
