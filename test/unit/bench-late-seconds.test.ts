// The bench counts recorded lines per second of their sending, so a record
// shows when the late ones were sent (bench/loadgen/late-seconds.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LateSeconds, secondsOfRun } from '../../bench/loadgen/late-seconds.ts';

test('lines are counted in the second they were sent, late ones apart, and workers add up', () => {
  const one = new LateSeconds();
  one.record(10_000, 20);
  one.record(10_999, 1_500);
  one.record(12_100, 900);
  const two = new LateSeconds();
  two.record(10_500, 2_500);
  const merged = new LateSeconds();
  merged.add(one.rows());
  merged.add(two.rows());
  assert.deepEqual(secondsOfRun(merged.rows()), [
    { second: 0, lines: 3, late: 2, maxMs: 2_500 },
    { second: 2, lines: 1, late: 0, maxMs: 900 },
  ]);
});
