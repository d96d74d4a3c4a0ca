// `npm run bench` end to end on a tiny steady run: it starts and stops its own
// server and load generator, writes the JSON record of BENCHMARK.md, and
// refuses invalid options clearly. No timing is asserted: figures are for
// BENCHMARKS.md, measured with the full scenario.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const RUN = new URL('../../bench/run.ts', import.meta.url).pathname;

function bench(args: string[]) {
  return spawnSync(process.execPath, [RUN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

test('a short steady run connects every viewer, delivers every broadcast line and writes the record', () => {
  const dir = tempDir('chorus-bench-test-');
  try {
    const file = join(dir, 'record.json');
    const run = bench(['--scenario', 'steady', '--viewers', '50', '--seconds', '2', '--json', file]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    assert.equal(record.scenario, 'steady');
    assert.equal(record.valid, true);
    assert.equal(record.connected, 50);
    assert.equal(record.offeredPerSec, 10);
    assert.equal(record.deliveredFraction, 1);
    assert.equal(record.recordedLines, 50 * 20, 'every line of every recording viewer (all 50 here)');
    assert.ok(record.latencyMs.p50 > 0 && record.latencyMs.p50 <= record.latencyMs.p99 && record.latencyMs.p99 <= record.latencyMs.max);
    assert.ok(record.server.gateways.cpuSeconds > 0 && record.server.gateways.peakRssBytes > 0);
    assert.deepEqual(record.errors, {});
    assert.equal(record.crashes, 0);
    assert.match(run.stdout, /valid\s+yes/);
  } finally {
    removeDir(dir);
  }
});

test('--baseline runs the same scenario against the baseline in the same invocation and reports the ratios', () => {
  const dir = tempDir('chorus-bench-test-');
  try {
    const file = join(dir, 'record.json');
    const run = bench(['--scenario', 'steady', '--viewers', '30', '--seconds', '2', '--baseline', 'raw', '--json', file]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
    assert.equal(record.target, 'chorus');
    assert.equal(record.baseline.target, 'raw');
    assert.equal(record.baseline.connected, 30);
    assert.equal(record.baseline.deliveredFraction, 1, 'the baseline delivers every line too: the comparison is like for like');
    assert.equal(record.comparison.baseline, 'raw');
    assert.ok(record.comparison.deliveriesPerCpuRatio > 0 && record.comparison.p99Ratio > 0);
    assert.match(run.stdout, /vs raw\s+deliveries per server CPU-second x/);
  } finally {
    removeDir(dir);
  }
});

test('invalid options are refused with exit code 2 and a reason', () => {
  for (const [args, reason] of [
    [[], /--scenario is required/],
    [['--scenario', 'nope'], /unknown scenario "nope"/],
    [['--scenario', 'explosion'], /not built yet/],
    [['--scenario', 'steady', '--viewers', '0'], /--viewers must be a positive integer/],
    [['--scenario', 'steady', '--gateways', '3'], /--gateways needs --mode cluster/],
    [['--scenario', 'steady', '--mode', 'cloud'], /--mode must be embedded or cluster/],
    [['--scenario', 'steady', '--baseline', 'socketio'], /socketio baseline is not built yet/],
    [['--scenario', 'steady', '--baseline', 'nginx'], /--baseline must be one of naive, raw/],
  ] as Array<[string[], RegExp]>) {
    const run = bench(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, reason);
  }
});
