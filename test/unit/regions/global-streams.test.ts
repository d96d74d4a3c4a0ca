// The wiring of the global order around the merger: what enters this
// region's order, when, and in which order; acks after the release; the
// state told on degrade and heal. The log and the cluster broker are
// in-memory recorders here (the real ones: test/regions/global-order.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stamped, type Draft } from '../../../src/broker/broker.ts';
import { partitionOf } from '../../../src/log/kafka/records.ts';
import type { GlobalOrderState, Message } from '../../../src/protocol/types.ts';
import { GlobalStreams } from '../../../src/regions/global-streams.ts';
import { HybridClock, type Hlc } from '../../../src/regions/hlc.ts';

function setup() {
  let now = 1_000;
  const clock = new HybridClock('us', () => now);
  const held: string[] = [];
  const entered: string[] = [];
  const states: Array<[string, GlobalOrderState]> = [];
  let seq = 0;
  const global = new GlobalStreams({
    region: 'us', peers: ['eu', 'ap'], holdMaxMs: 500, maxHeld: 100, clock, onceMs: 60_000, now: () => now,
    log: {
      partitions: 1,
      appendHeld: async (message: Message) => void held.push(message.id),
      appendWatermark: async () => {},
    },
    order: {
      publish: async (draft: Draft) => (entered.push(draft.id), stamped(draft, ++seq)),
      admit: async (draft: Draft) => (entered.push(draft.id), stamped(draft, ++seq)),
    },
    onState: (stream, state) => states.push([stream, state]),
    degradedShownMs: 1_000,
  });
  return { global, clock, held, entered, states, at: (ms: number) => (now = ms) };
}

const line = (id: string, hlc?: Hlc): Draft => ({ id, stream: 's', ts: 0, user: { id: 'u', name: 'U', badges: [] }, text: id, ...(hlc ? { origin: hlc.region, hlc: `${hlc.wall}.${hlc.logical}.${hlc.region}` } : {}) });
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a local line is stored as held at once, and acknowledged with its seq only once every peer has passed it', async () => {
  const { global, held, entered } = setup();
  let acked: Message | undefined;
  const sending = global.local(line('a')).then((m) => (acked = m));
  await settle();
  assert.deepEqual(held, ['a']);
  assert.deepEqual(entered, []);
  const stamp = { wall: 1_000, logical: 1, region: 'eu' };
  global.watermark(stamp, 0, 1);
  await settle();
  assert.equal(acked, undefined, 'ap has not passed it yet');
  global.watermark({ ...stamp, region: 'ap' }, 0, 1);
  await sending;
  assert.deepEqual(entered, ['a']);
  assert.equal(acked!.seq, 1);
  assert.equal(acked!.origin, 'us');
  assert.equal('hlc' in acked!, false, 'the stamp is not part of the wire message');
});

test('lines enter this region\'s order in stamp order, whatever order they arrived in; a line handed in twice enters once', async () => {
  const { global, entered, at } = setup();
  at(2_000);
  const late = { wall: 1_500, logical: 0, region: 'eu' };
  const early = { wall: 1_400, logical: 0, region: 'ap' };
  const taking = [global.remote(line('eu-1', late), late), global.remote(line('ap-1', early), early), global.remote(line('eu-1', late), late)];
  global.watermark({ wall: 1_600, logical: 0, region: 'eu' }, 0, 1);
  global.watermark({ wall: 1_600, logical: 0, region: 'ap' }, 0, 1);
  await Promise.all(taking);
  assert.deepEqual(entered, ['ap-1', 'eu-1']);
});

test('a silent peer is left out after the bound, said in the state, and waited for again once its watermark passes what went out', async () => {
  const { global, entered, states, at } = setup();
  const stamp = { wall: 1_000, logical: 0, region: 'eu' };
  const taking = global.remote(line('eu-1', stamp), stamp);
  at(1_400);
  global.watermark({ wall: 1_400, logical: 0, region: 'eu' }, 0, 1);
  global.tick();
  assert.deepEqual(entered, []);
  at(1_600);
  global.tick();
  await taking;
  assert.deepEqual(entered, ['eu-1']);
  assert.deepEqual(states, [['s', { degraded: true, leftOut: ['ap'] }]]);
  assert.deepEqual(global.state('s'), { degraded: true, leftOut: ['ap'] });
  global.watermark({ wall: 1_001, logical: 0, region: 'ap' }, 0, 1);
  // Both peers keep beating from here on: only the degraded moment's showing keeps the state.
  const beat = (ms: number) => {
    at(ms);
    for (const region of ['eu', 'ap']) global.watermark({ wall: ms, logical: 0, region }, 0, 1);
    global.tick();
  };
  beat(2_100);
  beat(2_599);
  assert.deepEqual(global.state('s'), { degraded: true, leftOut: ['ap'] }, 'a degraded moment is told for a state interval at least');
  assert.equal(states.length, 1);
  beat(2_600);
  assert.deepEqual(states.at(-1), ['s', { degraded: false, leftOut: [] }]);
  assert.deepEqual(global.state('s'), { degraded: false, leftOut: [] });
});

test('a watermark of another partition moves nothing; leaving global order lets everything held out in order', async () => {
  const { global, entered } = setup();
  const a = { wall: 1_000, logical: 0, region: 'eu' };
  const b = { wall: 1_001, logical: 0, region: 'eu' };
  const taking = [global.remote(line('eu-2', b), b), global.remote(line('eu-1', a), a)];
  global.watermark({ wall: 2_000, logical: 0, region: 'ap' }, (partitionOf('s', 2) + 1) % 2, 2);
  await settle();
  assert.deepEqual(entered, []);
  global.leave('s');
  await Promise.all(taking);
  assert.deepEqual(entered, ['eu-1', 'eu-2']);
  assert.equal(global.active, false);
});
