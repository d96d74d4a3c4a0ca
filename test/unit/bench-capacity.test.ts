// The capacity search of `npm run bench -- --find-capacity` and the core split
// of --pin, as pure decisions: the probe here is a known threshold, so the
// search's answer and the runs it spends can be checked exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { searchCapacity, type Probe, type SearchBounds } from '../../bench/harness/capacity.ts';
import { splitCores } from '../../bench/harness/pinning.ts';

const bounds: SearchBounds = { start: 1_000, min: 100, max: 15_000, resolution: 0.1, maxProbes: 12 };

/** A target that holds every audience up to `limit`. */
function upTo(limit: number) {
  const asked: number[] = [];
  const probe = async (viewers: number): Promise<Probe> => {
    asked.push(viewers);
    return { viewers, holds: viewers <= limit, p99Ms: viewers <= limit ? 50 : 2_000, deliveredFraction: 1 };
  };
  return { probe, asked };
}

describe('capacity search', () => {
  test('doubles while it holds, then narrows the gap to the resolution', async () => {
    const { probe, asked } = upTo(5_300);
    const found = await searchCapacity(probe, bounds);
    assert.deepEqual(asked.slice(0, 4), [1_000, 2_000, 4_000, 8_000]);
    assert.ok(found.viewers <= 5_300 && found.viewers >= 5_300 / 1.1, `found ${found.viewers}`);
    assert.equal(found.probes.length, asked.length);
  });

  test('stops at the most the target can be offered', async () => {
    const { probe, asked } = upTo(1_000_000);
    const found = await searchCapacity(probe, bounds);
    assert.equal(found.viewers, 15_000);
    assert.deepEqual(asked, [1_000, 2_000, 4_000, 8_000, 15_000]);
  });

  test('halves below the start when the start already misses', async () => {
    const { probe, asked } = upTo(300);
    const found = await searchCapacity(probe, bounds);
    assert.deepEqual(asked.slice(0, 3), [1_000, 500, 250]);
    assert.ok(found.viewers <= 300 && found.viewers >= 250, `found ${found.viewers}`);
  });

  test('a target that holds nothing has capacity 0, found without running below the minimum', async () => {
    const { probe, asked } = upTo(10);
    const found = await searchCapacity(probe, bounds);
    assert.equal(found.viewers, 0);
    assert.ok(asked.every((v) => v >= 100), `asked ${asked}`);
  });

  test('never runs more than maxProbes', async () => {
    const { probe } = upTo(7_777);
    const found = await searchCapacity(probe, { ...bounds, resolution: 0, maxProbes: 6 });
    assert.equal(found.probes.length, 6);
  });
});

describe('--pin core split', () => {
  test('servers take the first half of the cores, the load generator the rest', () => {
    assert.deepEqual(splitCores(2), { server: '0', load: '1', serverCores: 1 });
    assert.deepEqual(splitCores(8), { server: '0-3', load: '4-7', serverCores: 4 });
    assert.deepEqual(splitCores(3), { server: '0', load: '1-2', serverCores: 1 });
  });

  test('one core cannot be split', () => {
    assert.throws(() => splitCores(1), /at least 2 cores/);
  });
});
