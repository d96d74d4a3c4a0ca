// `chorus plan` as an operator runs it: from the records shipped in
// bench/results/, or from record files given, and refusing bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const plan = (args: string[]) => spawnSync(process.execPath, ['src/main.ts', 'plan', ...args], { encoding: 'utf8', timeout: 30_000 });

test('chorus plan prints gateways, nodes, egress, Redis shards and Kafka partitions from the given records', () => {
  const dir = tempDir('chorus-plan-test-');
  try {
    const file = join(dir, 'record.json');
    writeFileSync(file, JSON.stringify({
      scenario: 'explosion', target: 'chorus', mode: 'cluster, 2 gateways', gateways: 2, viewers: 10_000, seconds: 10,
      acceptedPerSec: 100, broadcastPerSec: 100, deliveriesPerSec: 1_000_000, deliveredFraction: 1, latencyMs: { p99: 500 }, valid: true,
      server: { gateways: { cpuSeconds: 10 }, redis: { cpuSeconds: 0.1 }, kafka: { cpuSeconds: 0.2 }, rssBytesPerViewer: 30_000, bytesSentPerLine: 250, deliveriesPerCpuSecond: 1_000_000 },
    }));
    const run = plan(['--viewers', '2000000', '--rate', '2000', '--nic-gbit', '100', file]);
    assert.equal(run.status, 0, run.stderr);
    // 2,000,000 viewers x 120 lines/s = 240,000,000 deliveries/s = 240 cores at 60 %: 400 gateways on 25 nodes of 16.
    assert.match(run.stdout, /240,000,000 lines\/s/);
    assert.match(run.stdout, /gateways\s+400 processes \(limited by cpu/);
    assert.match(run.stdout, /nodes\s+25 of 16 cores/);
    assert.match(run.stdout, /redis\s+1 shard/);
    assert.match(run.stdout, /kafka\s+3 partitions/);
    assert.match(run.stdout, /measured by\s+1 cluster run\(s\) of explosion at 10,000 viewers/);
    assert.match(run.stdout, /redis fan-out\s+48,000 lines\/s from pub\/sub to gateways: .*\(400 per stream\)/);
    assert.match(run.stdout, /warning: the Redis fan-out \(gateways subscribed to one stream\) is 200x/);
    assert.match(run.stdout, /warning: the audience \(2,000,000 viewers\) is 200x the largest measured run/);
    assert.doesNotMatch(run.stdout, /one process/);
    const small = plan(['--viewers', '2000', '--rate', '10', file]);
    assert.equal(small.status, 0, small.stderr);
    assert.match(small.stdout, /one process\s+is enough for this audience/);
    assert.doesNotMatch(small.stdout, /warning/);
  } finally {
    removeDir(dir);
  }
});

test('chorus plan --regions prints each region and the mirror links between them', () => {
  const run = plan(['--regions', 'us=40000,eu=30000,ap=30000', '--rate', '2000']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /regions\s+3: us 40,000, eu 30,000, ap 30,000 viewers/);
  for (const region of ['us', 'eu', 'ap']) assert.match(run.stdout, new RegExp(`region ${region}\\s+\\d+ gateways on \\d+ node`));
  assert.match(run.stdout, /its own senders 800 msg\/s/);
  assert.match(run.stdout, /mirror links\s+6 \(each region's log into each other region/);
  const refused = plan(['--regions', 'us', '--rate', '10', '--viewers', '100']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /at least two regions/);
});

test('chorus plan refuses missing or bad numbers with exit 2 and its usage', () => {
  for (const args of [[], ['--viewers', '1000'], ['--viewers', 'many', '--rate', '10']]) {
    const run = plan(args);
    assert.equal(run.status, 2, run.stdout);
    assert.match(run.stderr, /usage: chorus plan/);
  }
});
