import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedRateLimit } from '../../src/limits/keyed-rate-limit.ts';

test('each key has its own bucket; a refusal says how long one token takes to come back', () => {
  const limit = new KeyedRateLimit({ burst: 2, windowMs: 1_000, maxKeys: 10 });
  assert.deepEqual([limit.take('a', 0), limit.take('a', 0), limit.take('a', 0)], [0, 0, 500]);
  assert.equal(limit.take('b', 0), 0);
  assert.equal(limit.take('a', 499), 500);
  assert.equal(limit.take('a', 1_000), 0);
});

test('the map is bounded: beyond maxKeys the key idle longest is forgotten and starts with a full bucket', () => {
  const limit = new KeyedRateLimit({ burst: 1, windowMs: 60_000, maxKeys: 2 });
  limit.take('a', 0);
  limit.take('b', 0);
  assert.ok(limit.take('a', 1) > 0, 'a is drained, and now the most recently seen');
  limit.take('c', 2);
  assert.equal(limit.size, 2);
  assert.ok(limit.take('a', 3) > 0, 'a was kept');
  assert.equal(limit.take('b', 4), 0, 'b was forgotten: a fresh bucket');
});
