import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCapacity, type MeasuredFigures } from '../../src/plan/capacity-plan.ts';
import { measuredFigures } from '../../src/plan/measured-figures.ts';
import type { BenchRecordLike } from '../../src/plan/bench-records.ts';

const figures: MeasuredFigures = {
  source: 'test',
  deliveriesPerGatewayCpuSecond: 1_000_000,
  rssBytesPerViewer: 20_000,
  bytesSentPerLine: 200,
  redisCpuSecondsPerMessage: 0.00005,
  kafkaCpuSecondsPerMessage: 0.0002,
  measuredViewers: 1_000_000,
  measuredRate: 2_000,
  measuredGateways: 400,
};
const input = { viewers: 2_000_000, rate: 2_000, streams: 1, samplingThreshold: 120, connectionsPerGateway: 15_000, coresPerNode: 16, nicGbit: 100, utilisation: 0.6 };

test('a big stream is sampled to the threshold and its gateways sized by CPU or sockets, whichever needs more', () => {
  const plan = planCapacity(input, figures);
  assert.equal(plan.broadcastPerStream, 120);
  assert.equal(plan.deliveriesPerSec, 240_000_000);
  // 240 cores of fan-out at 60 % of a core: 400 processes; sockets alone would need 134.
  assert.equal(plan.gatewayCores, 240);
  assert.equal(plan.gateways, 400);
  assert.equal(plan.gatewaysLimitedBy, 'cpu');
  assert.equal(plan.nodes, 25);
  assert.equal(plan.nodesLimitedBy, 'cores');
  assert.equal(plan.viewersPerNode, 80_000);
  assert.ok(Math.abs(plan.egressGbitPerNode - (80_000 * 120 * 200 * 8) / 1e9) < 1e-9);
  assert.equal(plan.kafkaPartitions, 3);
  assert.equal(plan.redisShards, 1);
});

test('nodes are added when their network, not their cores, is the limit', () => {
  // 240,000,000 lines/s x 200 B x 8 = 384 Gbit/s; at 60 % of 10 Gbit/s: 64 nodes.
  const plan = planCapacity({ ...input, nicGbit: 10 }, figures);
  assert.equal(plan.nodes, 64);
  assert.equal(plan.nodesLimitedBy, 'network');
  assert.ok(plan.egressGbitPerNode <= 6);
});

test('a quiet deployment is sized by sockets', () => {
  const plan = planCapacity({ ...input, rate: 10, streams: 100 }, figures);
  assert.equal(plan.broadcastPerStream, 0.1);
  assert.equal(plan.gateways, 134);
  assert.equal(plan.gatewaysLimitedBy, 'connections');
});

test('the figures come from the cluster runs that kept up with the most viewers, medians of their repeats', () => {
  const run = (viewers: number, deliveriesPerCpuSecond: number, mode = 'cluster, 2 gateways', deliveredFraction = 1): BenchRecordLike => ({
    scenario: 'explosion', target: 'chorus', mode, gateways: 2, viewers, seconds: 10, acceptedPerSec: 100, broadcastPerSec: 100, deliveriesPerSec: 1, deliveredFraction,
    latencyMs: { p99: 1 }, valid: true,
    server: { gateways: { cpuSeconds: 1 }, redis: { cpuSeconds: 0.5 }, kafka: { cpuSeconds: 2 }, rssBytesPerViewer: 9, bytesSentPerLine: 7, deliveriesPerCpuSecond },
  });
  const manyStreams = { ...run(60_000, 77), scenario: 'many-streams' };
  const measured = measuredFigures([run(1_000, 5), run(20_000, 30), run(20_000, 10), run(20_000, 20), run(50_000, 99, 'embedded'), run(90_000, 99, 'cluster, 8 gateways', 0.2), manyStreams], false);
  assert.equal(measured.deliveriesPerGatewayCpuSecond, 20);
  assert.equal(measured.redisCpuSecondsPerMessage, 0.0005);
  assert.equal(measured.kafkaCpuSecondsPerMessage, 0.002);
  assert.match(measured.source, /3 cluster run\(s\) of explosion at 20,000 viewers/);
  assert.equal(measuredFigures([run(20_000, 30), manyStreams], true).deliveriesPerGatewayCpuSecond, 77, 'a plan of many streams uses many-streams runs');
  assert.equal(measuredFigures([manyStreams], false).deliveriesPerGatewayCpuSecond, 77, 'or any run when there is none of the shape');
  assert.throws(() => measuredFigures([run(1, 1, 'embedded')], false), /no cluster-mode Chorus run that kept up/);
});

test("Redis sends each stream's lines to every gateway with a viewer of it, all from the stream's one shard", () => {
  // One stream on 400 gateways: every gateway subscribes.
  const one = planCapacity(input, figures);
  assert.ok(Math.abs(one.subscribingGateways - 400) < 1e-6);
  assert.ok(Math.abs(one.redisFanoutPerSec - 120 * 400) < 1e-3);
  assert.ok(Math.abs(one.redisFanoutPerStreamPerSec - 120 * 400) < 1e-3);
  // Measured with 2 gateways subscribed: 400 is beyond what was measured, and said so.
  assert.match(planCapacity(input, { ...figures, measuredGateways: 2 }).warnings.join('\n'), /Redis fan-out \(gateways subscribed to one stream\) is 200x/);
  // 80,000 streams of 25 viewers on 134 gateways: a stream reaches about 23 of them, not all.
  const many = planCapacity({ ...input, viewers: 2_000_000, rate: 80_000, streams: 80_000 }, figures);
  assert.equal(many.gateways, 134);
  assert.ok(many.subscribingGateways > 20 && many.subscribingGateways < 25, `${many.subscribingGateways}`);
  assert.ok(Math.abs(many.redisFanoutPerSec - 80_000 * 1 * many.subscribingGateways) < 1e-6);
  assert.ok(Math.abs(many.redisFanoutPerStreamPerSec - many.subscribingGateways) < 1e-9);
});

test('a plan far beyond the measured runs says so; one within them does not', () => {
  assert.deepEqual(planCapacity(input, figures).warnings, []);
  const far = planCapacity(input, { ...figures, measuredViewers: 20_000, measuredRate: 100 });
  assert.equal(far.warnings.length, 2);
  assert.match(far.warnings[0]!, /audience \(2,000,000 viewers\) is 100x the largest measured run \(20,000\)/);
  assert.match(far.warnings[1]!, /offered rate \(2,000 msg\/s\) is 20x/);
});

test('an audience one gateway holds is said to need one process', () => {
  assert.equal(planCapacity({ ...input, viewers: 1_000, rate: 10 }, figures).oneProcessEnough, true);
  assert.equal(planCapacity(input, figures).oneProcessEnough, false);
});
