// The regions scenario's figures from what its observers were shown: orders
// compared between regions (inversions by merge sort against a brute-force
// count), latency split by origin, lost and repeated lines, convergence.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inversions, percentile, regionsFigures } from '../../bench/harness/regions-figures.ts';
import type { Shown } from '../../bench/harness/regions-observers.ts';
import type { RegionName } from '../../bench/harness/regions-scenario.ts';

function bruteForce(a: string[], b: string[]): number {
  const rank = new Map(a.map((id, i) => [id, i]));
  let count = 0;
  for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) if (rank.get(b[i]!)! > rank.get(b[j]!)!) count++;
  return count;
}

describe('inversions between two orders', () => {
  test('none, one swap, all reversed', () => {
    const a = Array.from({ length: 9 }, (_, i) => `l${i}`);
    assert.equal(inversions(a, a), 0);
    assert.equal(inversions(a, ['l1', 'l0', ...a.slice(2)]), 1);
    assert.equal(inversions(a, [...a].reverse()), (9 * 8) / 2);
  });

  test('the same count as comparing every pair, on shuffled orders of odd and even lengths', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const n of [2, 3, 17, 64, 101]) {
      const a = Array.from({ length: n }, (_, i) => `l${i}`);
      const b = [...a].sort(() => random() - 0.5);
      assert.equal(inversions(a, b), bruteForce(a, b), `n=${n}`);
    }
  });
});

test('percentile takes the value at the rank, not an average', () => {
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
  assert.equal(percentile([], 99), 0);
});

describe('regions figures', () => {
  // Lines l0..l3 sent at 0..3 in the regional window [0, 100), g0..g2 at 100..102 in the global one [100, 200), p0 at 200 during the cut (heal at 300).
  const line = (id: string, origin: RegionName, sentAt: number, arrivedAt: number): Shown => ({ id, origin, sentAt, arrivedAt });
  const us = [
    line('l0', 'us', 0, 10), line('l1', 'eu', 1, 120), line('l2', 'us', 2, 12), line('l3', 'ap', 3, 150),
    line('g0', 'us', 100, 400), line('g1', 'eu', 101, 401), line('g2', 'ap', 102, 402), line('p0', 'us', 200, 205),
  ];
  const eu = [
    line('l0', 'us', 0, 110), line('l1', 'eu', 1, 6), line('l3', 'ap', 3, 160), line('l2', 'us', 2, 130),
    line('g0', 'us', 100, 420), line('g1', 'eu', 101, 421), line('g2', 'ap', 102, 422), line('p0', 'us', 200, 210), line('p0', 'us', 200, 211),
  ];
  const ap = [
    line('l0', 'us', 0, 100), line('l1', 'eu', 1, 115), line('l2', 'us', 2, 118), line('l3', 'ap', 3, 8),
    line('g0', 'us', 100, 430), line('g1', 'eu', 101, 431), line('g2', 'ap', 102, 432),
  ];
  const { figures, detail } = regionsFigures({
    observers: new Map<RegionName, Array<{ shown: Shown[] }>>([['us', [{ shown: us }]], ['eu', [{ shown: eu }]], ['ap', [{ shown: ap }]]]),
    viewers: new Map<RegionName, number>([['us', 200], ['eu', 199], ['ap', 200]]),
    regional: { from: 0, to: 100 },
    global: { from: 100, to: 200 },
    healAt: 300,
    ackedIds: ['l0', 'l1', 'l2', 'l3', 'g0', 'g1', 'g2', 'p0'],
  });

  test('each region: local and cross-region send-to-display in regional order', () => {
    assert.deepEqual(figures.regions, [
      { name: 'us', viewers: 200, localP99Ms: 10, crossP99Ms: 147 },
      { name: 'eu', viewers: 199, localP99Ms: 5, crossP99Ms: 157 },
      { name: 'ap', viewers: 200, localP99Ms: 5, crossP99Ms: 116 },
    ]);
  });

  test('regional order: inversions over the region pairs (each line once), and the skew of arrival between regions', () => {
    // us l0 l1 l2 l3; eu l0 l1 l3 l2 (one swap against us and against ap); ap as us.
    assert.deepEqual(figures.order.regional, { inversions: 2, linesCompared: 4, skewP99Ms: 152 });
  });

  test('global order: the same order everywhere, and what it added over regional order', () => {
    assert.equal(figures.order.global.inversions, 0);
    assert.equal(figures.order.global.linesCompared, 3);
    assert.deepEqual(detail.regional, { localP99Ms: 10, crossP99Ms: 157 });
    assert.deepEqual(detail.global, { localP99Ms: 330, crossP99Ms: 330 });
    assert.equal(figures.order.global.addedP99Ms, 320, 'the larger of local (330 - 10) and cross (330 - 157)');
  });

  test('partition: p0 never reached ap (lost), eu showed it twice, and convergence counts from the heal', () => {
    assert.deepEqual(figures.partition, { lost: 1, duplicated: 1, convergeMs: 432 - 300 });
  });
});

test('global order with several gateways in a region: each gateway\'s order is compared, not only the region\'s first', () => {
  const shown = (ids: string[]): Shown[] => ids.map((id, i) => ({ id, origin: 'us', sentAt: 100 + i, arrivedAt: 400 + i }));
  const inOrder = shown(['g0', 'g1', 'g2']);
  const facts = (usSecond: Shown[], gateway: number) => ({
    observers: new Map<RegionName, Array<{ shown: Shown[]; gateway?: number }>>([
      ['us', [{ shown: inOrder, gateway: 0 }, { shown: usSecond, gateway }]], ['eu', [{ shown: inOrder }]], ['ap', [{ shown: inOrder }]],
    ]),
    viewers: new Map<RegionName, number>(), regional: { from: 0, to: 100 }, global: { from: 100, to: 200 }, healAt: 300, ackedIds: [],
  });
  const swapped = shown(['g1', 'g0', 'g2']);
  // us's second gateway swapped g0 and g1: one inversion against each of the three other orders.
  assert.equal(regionsFigures(facts(swapped, 1)).figures.order.global.inversions, 3);
  // A second observer of the same gateway is not another order.
  assert.equal(regionsFigures(facts(swapped, 0)).figures.order.global.inversions, 0);
});
