import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '../../src/observability/metrics.ts';
import { OpsSeries, quantileOfDelta } from '../../src/observability/ops-series.ts';

test('points are per-second differences of the counters between two samples', async () => {
  const metrics = new Metrics();
  const series = new OpsSeries(metrics, 10);
  metrics.accepted.inc(1_000); // before the first sample: not part of any point
  await series.sample(10_000);
  assert.deepEqual(series.points(), []);

  metrics.accepted.inc(300);
  metrics.broadcast.inc(150);
  metrics.deliveries.inc(6_000);
  metrics.slowConsumerDrops.inc(2);
  metrics.connections.set({ transport: 'ws' }, 40);
  metrics.connections.set({ transport: 'sse' }, 2);
  for (let i = 0; i < 99; i++) metrics.ingestLatency.observe(0.001);
  metrics.ingestLatency.observe(0.2);
  for (let i = 0; i < 10; i++) metrics.fanoutDelay.observe(0.04);
  await series.sample(12_000);

  const [point] = series.points();
  assert.deepEqual({ ...point, ingestP99Ms: undefined, fanoutP99Ms: undefined }, {
    t: 12_000,
    acceptedPerSecond: 150,
    broadcastPerSecond: 75,
    keepRatio: 0.5,
    connections: 42,
    deliveriesPerSecond: 3_000,
    ingestP99Ms: undefined,
    fanoutP99Ms: undefined,
    slowConsumerDropsPerSecond: 1,
  });
  // 99 of 100 observations are in the (0.5 ms, 1 ms] bucket: p99 is at its top.
  assert.equal(point!.ingestP99Ms, 1);
  // Ten flushes in the (30 ms, 50 ms] bucket: p99 is 99 % of the way through it.
  assert.ok(Math.abs(point!.fanoutP99Ms! - 49.8) < 1e-9, String(point!.fanoutP99Ms));
});

test('an idle interval keeps everything, has no latency, and the ring never grows past its capacity', async () => {
  const metrics = new Metrics();
  const series = new OpsSeries(metrics, 3);
  for (let t = 0; t <= 5; t++) await series.sample(t * 1000);
  assert.equal(series.points().length, 3);
  assert.deepEqual(series.points().map((p) => p.t), [3000, 4000, 5000]);
  assert.equal(series.points()[0]!.keepRatio, 1);
  assert.equal(series.points()[0]!.ingestP99Ms, null);
  assert.equal(series.points()[0]!.fanoutP99Ms, null);
});

test('quantileOfDelta interpolates inside the bucket of the rank, over the interval only', () => {
  const before = [{ le: 0.01, count: 50 }, { le: 0.1, count: 50 }, { le: Infinity, count: 50 }];
  const after = [{ le: 0.01, count: 60 }, { le: 0.1, count: 150 }, { le: Infinity, count: 150 }];
  // 10 in (0, 10 ms], 90 in (10 ms, 100 ms]: the median is 40/90 of the way through the second bucket.
  assert.ok(Math.abs(quantileOfDelta(before, after, 0.5)! - (10 + 90 * (40 / 90))) < 1e-9);
  assert.equal(quantileOfDelta(before, before, 0.99), null);
  // Beyond the largest finite bound only that bound is known.
  assert.equal(quantileOfDelta([{ le: 0.5, count: 0 }, { le: Infinity, count: 0 }], [{ le: 0.5, count: 0 }, { le: Infinity, count: 4 }], 0.99), 500);
});
