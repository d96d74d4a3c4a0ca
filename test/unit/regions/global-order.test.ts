// Written before src/regions/global-order.ts existed; seen failing (module not found) first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobalOrder } from '../../../src/regions/global-order.ts';
import type { Hlc } from '../../../src/regions/hlc.ts';

const REGIONS = ['ap', 'eu', 'us'];
const h = (wall: number, region: string, logical = 0): Hlc => ({ wall, logical, region });

function order(options: Partial<{ holdMaxMs: number; maxHeld: number }> = {}): GlobalOrder<string> {
  return new GlobalOrder<string>({ regions: REGIONS, holdMaxMs: 1000, maxHeld: 100, ...options });
}

test('a line waits until every other region\'s watermark has passed it, then lines go out in HLC order', () => {
  const o = order();
  assert.deepEqual(o.add('us-1', h(100, 'us'), 'us-1', 0), []);
  assert.deepEqual(o.add('eu-1', h(90, 'eu'), 'eu-1', 0), []);
  // ap has said nothing yet: both wait for it.
  assert.deepEqual(o.advance('ap', h(85, 'ap'), 1), []);
  assert.equal(o.held, 2);
  // ap passes 90: eu-1 may go (us, at 100, has too); us-1 still waits for eu, at 90.
  assert.deepEqual(o.advance('ap', h(120, 'ap'), 2), ['eu-1']);
  assert.deepEqual(o.advance('eu', h(130, 'eu'), 3), ['us-1']);
  assert.equal(o.held, 0);
  assert.equal(o.state().degraded, false);
});

test('a watermark equal in wall and counter passes a line of another region: that region\'s next stamp is larger', () => {
  const o = order();
  o.add('us-1', h(100, 'us', 3), 'us-1', 0);
  o.advance('ap', h(100, 'ap', 3), 0);
  assert.deepEqual(o.advance('eu', h(100, 'eu', 3), 0), ['us-1']);
});

test('every region releases the same sequence whatever order the lines arrive in', () => {
  const lines: Array<[string, Hlc]> = [];
  for (let i = 0; i < 60; i++) {
    const region = REGIONS[i % 3]!;
    lines.push([`${region}-${i}`, h(1000 + Math.floor(i / 2), region, i % 2)]);
  }
  const runs: string[][] = [];
  for (const seed of [1, 7, 13]) {
    const o = order({ maxHeld: 1000 });
    const out: string[] = [];
    // Each region's own lines arrive in HLC order, interleaved with the others differently per run.
    const queues = REGIONS.map((r) => lines.filter(([, stamp]) => stamp.region === r));
    let pick = seed;
    while (queues.some((q) => q.length > 0)) {
      pick = (pick * 31 + 17) % 97;
      const q = queues.filter((x) => x.length > 0)[pick % queues.filter((x) => x.length > 0).length]!;
      const [id, stamp] = q.shift()!;
      out.push(...o.add(id, stamp, id, 0));
    }
    for (const r of REGIONS) out.push(...o.advance(r, h(5000, r), 0));
    runs.push(out);
  }
  assert.equal(runs[0]!.length, 60);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
  const sorted = [...lines].sort(([, a], [, b]) => a.wall - b.wall || a.logical - b.logical || (a.region < b.region ? -1 : 1)).map(([id]) => id);
  assert.deepEqual(runs[0], sorted);
});

test('lines with the same stamp (two gateways of one region) go out by id, the same everywhere', () => {
  const o = order();
  o.add('b', h(100, 'us'), 'b', 0);
  o.add('a', h(100, 'us'), 'a', 0);
  o.advance('ap', h(200, 'ap'), 0);
  assert.deepEqual(o.advance('eu', h(200, 'eu'), 0), ['a', 'b']);
});

test('a region silent past the hold bound is left out: the stream degrades, its lines go out on arrival, and it rejoins once caught up', () => {
  const o = order({ holdMaxMs: 1000 });
  o.advance('ap', h(100, 'ap'), 0);
  o.advance('eu', h(100, 'eu'), 0);
  o.add('us-1', h(200, 'us'), 'us-1', 10);
  o.advance('eu', h(300, 'eu'), 500);
  // ap silent since t=0; at 1000 it is not yet past the bound.
  assert.deepEqual(o.tick(1000), []);
  assert.deepEqual(o.state(), { degraded: false, leftOut: [] });
  assert.deepEqual(o.tick(1001), ['us-1']);
  assert.deepEqual(o.state(), { degraded: true, leftOut: ['ap'] });
  // While left out, eu and us order among themselves; ap's late line goes out as it comes.
  assert.deepEqual(o.advance('us', h(400, 'us'), 1050), []);
  assert.deepEqual(o.add('eu-2', h(310, 'eu'), 'eu-2', 1100), ['eu-2']);
  assert.deepEqual(o.add('ap-late', h(150, 'ap'), 'ap-late', 1200), ['ap-late']);
  assert.equal(o.state().degraded, true, 'ap is still behind what went out');
  // ap's watermark passes the newest line released: it is waited for again.
  o.advance('ap', h(320, 'ap'), 1300);
  assert.deepEqual(o.state(), { degraded: false, leftOut: [] });
  o.add('us-3', h(410, 'us'), 'us-3', 1300);
  o.advance('eu', h(500, 'eu'), 1300);
  assert.deepEqual(o.tick(1400), [], 'us-3 waits for ap again');
  assert.deepEqual(o.advance('ap', h(500, 'ap'), 1400), ['us-3']);
});

test('a region whose watermark moves but lags is left out once the oldest held line has waited the hold bound', () => {
  const o = order({ holdMaxMs: 1000 });
  o.add('us-1', h(1000, 'us'), 'us-1', 0);
  o.advance('eu', h(2000, 'eu'), 0);
  for (let t = 100; t <= 1000; t += 100) {
    // eu and us beat as usual; ap's watermark creeps, far behind.
    o.advance('eu', h(2000 + t, 'eu'), t);
    o.advance('us', h(1000 + t, 'us'), t);
    assert.deepEqual(o.advance('ap', h(100 + t / 100, 'ap'), t), []);
  }
  assert.deepEqual(o.advance('ap', h(120, 'ap'), 1001), ['us-1']);
  assert.deepEqual(o.state().leftOut, ['ap']);
});

test('the held lines are capped: one more leaves out the regions the oldest waits for, so what waited only for them goes out', () => {
  const o = order({ maxHeld: 4 });
  o.advance('eu', h(102, 'eu'), 0);
  for (let i = 1; i <= 3; i++) assert.deepEqual(o.add(`us-${i}`, h(100 + i, 'us'), `us-${i}`, 0), []);
  o.add('eu-1', h(105, 'eu'), 'eu-1', 0);
  // Five held: ap, never heard from, blocks us-1; leaving it out frees every line eu has passed.
  assert.deepEqual(o.add('us-4', h(106, 'us'), 'us-4', 0), ['us-1', 'us-2', 'us-3', 'eu-1']);
  assert.equal(o.held, 1, 'us-4 still waits for eu');
  assert.deepEqual(o.state(), { degraded: true, leftOut: ['ap'] });
});

test('a duplicate of a held line (same id) is held once', () => {
  const o = order();
  o.add('x', h(100, 'us'), 'x', 0);
  o.add('x', h(100, 'us'), 'x', 0);
  assert.equal(o.held, 1);
});

test('a region outside the configured ones is refused (its lines would never be waited for correctly)', () => {
  const o = order();
  assert.throws(() => o.add('zz', h(1, 'zz'), 'zz', 0), /unknown region zz/);
});

test('drain lets everything held out in order, and a line the order has passed goes out at once afterwards', () => {
  const o = order();
  o.add('us-2', h(200, 'us'), 'us-2', 0);
  o.add('eu-1', h(100, 'eu'), 'eu-1', 0);
  assert.deepEqual(o.drain(), ['eu-1', 'us-2']);
  assert.equal(o.held, 0);
  assert.deepEqual(o.add('ap-1', h(150, 'ap'), 'ap-1', 1), ['ap-1']);
});
