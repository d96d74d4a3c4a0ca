import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterServerHint, backoffDelay } from '../../web/src/chat/backoff.ts';

const policy = { baseMs: 500, maxMs: 30_000 };

test('reconnect delays double per attempt up to the cap, each drawn from the upper half', () => {
  const low = (attempt: number) => backoffDelay(attempt, policy, () => 0);
  const high = (attempt: number) => backoffDelay(attempt, policy, () => 1);
  assert.deepEqual([0, 1, 2, 3].map(low), [250, 500, 1_000, 2_000]);
  assert.deepEqual([0, 1, 2, 3].map(high), [500, 1_000, 2_000, 4_000]);
  assert.equal(high(20), 30_000);
  assert.equal(low(1_000), 15_000);
});

test('jitter spreads clients: draws differ with the random source', () => {
  const draws = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelay(4, policy, () => r)));
  assert.equal(draws.size, 4);
});

test("the server's reconnect hint is a floor, with jitter on top", () => {
  assert.equal(afterServerHint(1_000, () => 0), 1_000);
  assert.equal(afterServerHint(1_000, () => 1), 2_000);
  assert.equal(afterServerHint(0, () => 1), 250);
});
