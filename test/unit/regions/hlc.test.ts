// Written before src/regions/hlc.ts existed; seen failing (module not found) first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareHlc, HybridClock, parseHlc, formatHlc, type Hlc } from '../../../src/regions/hlc.ts';

function clockAt(region: string, times: number[]): HybridClock {
  let i = 0;
  return new HybridClock(region, () => times[Math.min(i++, times.length - 1)]!);
}

test('stamps follow the physical clock while it moves forward, with a zero counter', () => {
  const clock = clockAt('us', [1000, 1005, 1010]);
  assert.deepEqual(clock.now(), { wall: 1000, logical: 0, region: 'us' });
  assert.deepEqual(clock.now(), { wall: 1005, logical: 0, region: 'us' });
  assert.deepEqual(clock.now(), { wall: 1010, logical: 0, region: 'us' });
});

test('a clock that stands still or steps back never stamps the same or a smaller value: the counter counts', () => {
  const clock = clockAt('us', [1000, 1000, 990, 1000, 1001]);
  const stamps = [clock.now(), clock.now(), clock.now(), clock.now(), clock.now()];
  assert.deepEqual(stamps.map((h) => [h.wall, h.logical]), [[1000, 0], [1000, 1], [1000, 2], [1000, 3], [1001, 0]]);
  for (let i = 1; i < stamps.length; i++) assert.equal(compareHlc(stamps[i - 1]!, stamps[i]!), -1);
});

test('observing a stamp from a region whose clock runs ahead moves this clock past it (causality)', () => {
  const clock = clockAt('eu', [1000, 1000, 1000, 1000, 2001]);
  clock.observe({ wall: 2000, logical: 4, region: 'us' });
  const after = clock.now();
  assert.deepEqual(after, { wall: 2000, logical: 6, region: 'eu' });
  assert.equal(compareHlc({ wall: 2000, logical: 4, region: 'us' }, after), -1);
  // An observed stamp behind this clock changes nothing but the counter's floor.
  clock.observe({ wall: 10, logical: 99, region: 'ap' });
  assert.deepEqual(clock.now(), { wall: 2000, logical: 8, region: 'eu' });
  assert.deepEqual(clock.now(), { wall: 2001, logical: 0, region: 'eu' });
});

test('the order is wall, then counter, then region name: total over regions', () => {
  const a: Hlc = { wall: 5, logical: 1, region: 'ap' };
  const b: Hlc = { wall: 5, logical: 1, region: 'eu' };
  const c: Hlc = { wall: 5, logical: 2, region: 'ap' };
  const d: Hlc = { wall: 6, logical: 0, region: 'ap' };
  const sorted = [d, c, b, a].sort(compareHlc);
  assert.deepEqual(sorted, [a, b, c, d]);
  assert.equal(compareHlc(a, { ...a }), 0);
});

test('a stamp survives its text form, and malformed text is refused', () => {
  const h: Hlc = { wall: 1_700_000_000_123, logical: 7, region: 'ap-south-1' };
  assert.equal(formatHlc(h), '1700000000123.7.ap-south-1');
  assert.deepEqual(parseHlc(formatHlc(h)), h);
  for (const bad of ['', '1.2', 'x.1.us', '1.-1.us', '1.1.', '1.1.US', 'a.b.c.d']) assert.equal(parseHlc(bad), undefined, bad);
});
