// `chorus plan --regions`: each region sized for its viewers and every region's lines; the mirror links carry each log whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeasuredFigures } from '../../src/plan/capacity-plan.ts';
import { parseRegionShares, planRegions } from '../../src/plan/region-plan.ts';

const FIGURES: MeasuredFigures = {
  source: 'test', deliveriesPerGatewayCpuSecond: 1_000_000, rssBytesPerViewer: 50_000, bytesSentPerLine: 250,
  redisCpuSecondsPerMessage: 1e-5, kafkaCpuSecondsPerMessage: 2e-5, measuredViewers: 20_000, measuredRate: 600, measuredGateways: 2,
};
const BASE = { rate: 1_000, streams: 1, samplingThreshold: 120, connectionsPerGateway: 20_000, coresPerNode: 16, nicGbit: 25, utilisation: 0.6 };

test('each region is planned for its own viewers and every region\'s lines; its senders are its share of the rate', () => {
  const { regions } = planRegions({ base: BASE, regions: [{ region: 'us', viewers: 60_000 }, { region: 'eu', viewers: 40_000 }], heartbeatsPerSecond: 20 }, FIGURES);
  const [us, eu] = regions;
  // 60,000 viewers x 120 lines/s = 7.2 M deliveries/s = 7.2 cores at 60 %: 12 gateways; 40,000: 4.8 cores, 8 gateways.
  assert.equal(us!.plan.gateways, 12);
  assert.equal(eu!.plan.gateways, 8);
  assert.equal(us!.ownRate, 600);
  assert.equal(eu!.ownRate, 400);
  // 3 partitions x 20 heartbeats: its own log (1,000 lines + 60) and its one peer's mirrored copy of the same.
  assert.equal(us!.kafkaRecordsPerSec, 2 * 1_060);
});

test('every ordered pair of regions is a link carrying the source\'s whole log', () => {
  const { mirror } = planRegions({ base: BASE, regions: ['us', 'eu', 'ap'].map((region) => ({ region, viewers: 10_000 })), heartbeatsPerSecond: 20 }, FIGURES);
  assert.equal(mirror.links, 6);
  assert.equal(mirror.recordsPerLinkPerSec, 1_060);
  assert.equal(mirror.mbitPerLink, (1_060 * 250 * 8) / 1e6);
  assert.equal(mirror.mbitInAll, 6 * mirror.mbitPerLink);
});

test('regions are named with their viewers, or split --viewers evenly; bad lists are refused', () => {
  assert.deepEqual(parseRegionShares('us=3000,eu=1000', undefined), [{ region: 'us', viewers: 3000 }, { region: 'eu', viewers: 1000 }]);
  assert.deepEqual(parseRegionShares('us,eu', 1000), [{ region: 'us', viewers: 500 }, { region: 'eu', viewers: 500 }]);
  assert.throws(() => parseRegionShares('us', 1000), /at least two regions/);
  assert.throws(() => parseRegionShares('us,us', 1000), /twice/);
  assert.throws(() => parseRegionShares('us=5,eu', 1000), /every region its viewers/);
  assert.throws(() => parseRegionShares('us,eu', undefined), /needs --viewers/);
  assert.throws(() => parseRegionShares('US,eu', 10), /not a region name/);
  assert.throws(() => parseRegionShares('us=0,eu=5', undefined), /positive/);
});
