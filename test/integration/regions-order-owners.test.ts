// Several gateways in one region on real Redis (docs/regions.md, "Several
// gateways in a region"): the partition's owner stamps, holds and releases
// every global-order line of the region, whichever gateway the sender or the
// peer's line came in on; the others forward and pass the answer on. The log
// and the cluster broker are in-memory recorders (the real ones:
// test/regions/global-order.test.ts).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stamped, type Draft } from '../../src/broker/broker.ts';
import type { GlobalOrderState, Message } from '../../src/protocol/types.ts';
import { GlobalStreams } from '../../src/regions/global-streams.ts';
import { Heartbeats } from '../../src/regions/heartbeats.ts';
import { HybridClock, type Hlc } from '../../src/regions/hlc.ts';
import { OrderOwners } from '../../src/regions/order-owners.ts';
import { OrderRelay } from '../../src/regions/order-relay.ts';
import { OrderRouter } from '../../src/regions/order-router.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';
import { until } from '../support/until.ts';

const admin = await redisForTests();
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  await admin.close();
});

/** What the region's one order took in: entered lines in order, and who stamped the held ones. */
interface Region {
  prefix: string;
  entered: string[];
  heldBy: Map<string, string>;
  seq: number;
}

interface Gateway {
  name: string;
  router: OrderRouter;
  owners: OrderOwners;
  streams: GlobalStreams;
  states: Array<[string, GlobalOrderState]>;
  /** Stops the heartbeats (its ticks and the renewal of its claims), as a crash would, but keeps answering. */
  stopBeating(): Promise<void>;
  close(): Promise<void>;
}

function region(): Region {
  const prefix = uniquePrefix();
  closers.push(() => deleteKeys(admin, prefix));
  return { prefix, entered: [], heldBy: new Map(), seq: 0 };
}

async function gateway(r: Region, name: string, leaseMs = 3_000): Promise<Gateway> {
  const clock = new HybridClock('us');
  const states: Array<[string, GlobalOrderState]> = [];
  const log = {
    partitions: 1,
    appendHeld: async (message: Message): Promise<void> => void r.heldBy.set(message.id, name),
    appendWatermark: async (): Promise<void> => {},
  };
  const owners = new OrderOwners({ redis: admin, keyPrefix: r.prefix, commandTimeoutMs: 2_000, self: name, leaseMs });
  let router!: OrderRouter;
  const relay = await OrderRelay.connect({
    url: REDIS_URL, cluster: false, keyPrefix: r.prefix, commandTimeoutMs: 2_000, onError: () => {},
    self: name, timeoutMs: 3_000, maxPending: 100,
    handle: (request) => router.serve(request),
    onState: (stream, state) => router.heard(stream, state),
  });
  const streams = new GlobalStreams({
    region: 'us', peers: ['eu'], holdMaxMs: 1_000, maxHeld: 1_000, clock, onceMs: 60_000,
    log,
    order: {
      publish: async (draft: Draft) => (r.entered.push(draft.id), stamped(draft, ++r.seq)),
      admit: async (draft: Draft) => (r.entered.push(draft.id), stamped(draft, ++r.seq)),
    },
    onState: (stream, state) => {
      states.push([stream, state]);
      void relay.announce(stream, state);
    },
    degradedShownMs: 0,
  });
  router = new OrderRouter({ streams, owners, relay, partitions: 1 });
  const heartbeats = new Heartbeats({ intervalMs: 50, global: streams, owners, log, clock, onError: () => {} });
  const close = async (): Promise<void> => {
    await heartbeats.close();
    await streams.close();
    await relay.close();
    await owners.release();
  };
  closers.push(close);
  return { name, router, owners, streams, states, stopBeating: () => heartbeats.close(), close };
}

const line = (id: string, hlc?: Hlc): Draft => ({
  id, stream: 's', ts: 0, user: { id: 'u', name: 'U', badges: [] }, text: id,
  ...(hlc === undefined ? {} : { origin: hlc.region, hlc: `${hlc.wall}.${hlc.logical}.${hlc.region}` }),
});

test('a send on any gateway is stamped and held by the partition\'s owner, and acked with the seq the owner\'s order gave it', async () => {
  const r = region();
  const a = await gateway(r, 'a');
  const b = await gateway(r, 'b');
  const first = a.router.local(line('from-a'));
  await until(() => r.heldBy.size === 1, 'a claimed the partition and stored its line as held');
  assert.equal(a.owners.owns(0), true);
  const second = b.router.local(line('from-b'));
  await until(() => r.heldBy.size === 2, 'b\'s line reached the owner');
  assert.deepEqual([...r.heldBy], [['from-a', 'a'], ['from-b', 'a']], 'one stamper in the region: the owner');
  assert.equal(b.owners.owns(0), false);
  // eu's watermark, handed to b (which follows eu's topic here), reaches the owner and passes both lines.
  b.router.watermark({ wall: Date.now() + 60_000, logical: 0, region: 'eu' }, 0, 1);
  const [ackA, ackB] = await Promise.all([first, second]);
  assert.deepEqual([ackA.seq, ackB.seq].sort(), [1, 2]);
  assert.equal(ackB.id, 'from-b');
  assert.equal(ackB.origin, 'us');
  assert.deepEqual(r.entered.sort(), ['from-a', 'from-b']);
});

test('a peer\'s lines and watermarks handed to another gateway reach the owner in the order they came, and enter in stamp order', async () => {
  const r = region();
  const a = await gateway(r, 'a');
  const b = await gateway(r, 'b');
  await a.owners.ownerOf(0, true);
  const base = Date.now() + 200;
  // eu's lines arrive at b in eu's log order, each followed by eu's watermark at its stamp: were a watermark
  // to overtake its line on the way to the owner, that line would come after the order passed it.
  const admitted: Array<Promise<unknown>> = [];
  for (let i = 0; i < 50; i++) {
    const stamp = { wall: base + i, logical: 0, region: 'eu' };
    admitted.push(b.router.remote(line(`eu-${i}`, stamp), stamp));
    b.router.watermark(stamp, 0, 1);
  }
  // us (the owner's own clock) passes them all once its clock does; a line of the owner's own comes after.
  await until(() => Date.now() > base + 60, 'the owner\'s clock past the peer\'s stamps');
  const own = a.router.local(line('us-after'));
  b.router.watermark({ wall: Date.now() + 60_000, logical: 0, region: 'eu' }, 0, 1);
  await Promise.all([...admitted, own]);
  assert.deepEqual(r.entered, [...Array.from({ length: 50 }, (_, i) => `eu-${i}`), 'us-after']);
  assert.equal(a.states.filter(([, s]) => s.degraded).length, 0, 'never degraded: no line came after a watermark that passed it');
});

test('a degraded order is shown in state on every gateway, not only on the owner', async () => {
  const r = region();
  const a = await gateway(r, 'a');
  const b = await gateway(r, 'b');
  await a.owners.ownerOf(0, true);
  const sending = b.router.local(line('waits'));
  // eu says nothing: past the hold bound the owner leaves it out and tells every gateway.
  await until(() => b.router.state('s').degraded, 'b shows the owner\'s degraded state', 5_000);
  assert.deepEqual(b.router.state('s'), { degraded: true, leftOut: ['eu'] });
  assert.deepEqual(a.router.state('s'), { degraded: true, leftOut: ['eu'] });
  assert.equal((await sending).id, 'waits', 'the line went out without eu');
});

test('when the owner goes, the next gateway to need the partition claims it and orders from then on', async () => {
  const r = region();
  const a = await gateway(r, 'a', 600);
  const b = await gateway(r, 'b', 600);
  await a.owners.ownerOf(0, true);
  await a.close();
  const sending = b.router.local(line('after-a'));
  await until(() => r.heldBy.get('after-a') === 'b', 'b claimed the partition');
  b.router.watermark({ wall: Date.now() + 60_000, logical: 0, region: 'eu' }, 0, 1);
  assert.equal((await sending).seq, 1);
  // A claim lapses when its owner stops renewing it (a crash): then another gateway may claim.
  const c = await gateway(r, 'c', 600);
  assert.equal(await c.owners.ownerOf(0, true), 'b');
  await sleep(700);
  assert.equal(await admin.get(`${r.prefix}region-order-owner:0`), 'b', 'b\'s heartbeats keep its claim past its lease');
  await b.stopBeating();
  const claim = `${r.prefix}region-order-owner:0`;
  for (let i = 0; i < 60 && (await admin.get(claim)) !== null; i++) await sleep(50);
  assert.equal(await admin.get(claim), null, 'b\'s claim lapsed unrenewed');
  assert.equal(b.owners.owns(0), false, 'b stopped acting as the owner before its claim lapsed');
  assert.equal(await c.owners.ownerOf(0, true), 'c');
});
