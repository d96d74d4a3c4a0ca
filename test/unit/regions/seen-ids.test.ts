// Written before src/regions/seen-ids.ts existed; seen failing (module not found) first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenIds } from '../../../src/regions/seen-ids.ts';

test('an id is new once; its repeats are not', () => {
  const seen = new SeenIds(10);
  assert.equal(seen.firstTime('a'), true);
  assert.equal(seen.firstTime('b'), true);
  assert.equal(seen.firstTime('a'), false);
  assert.equal(seen.firstTime('b'), false);
});

test('bounded: beyond its capacity the oldest ids are forgotten first, and a forgotten id counts as new again', () => {
  const seen = new SeenIds(3);
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(seen.firstTime(id), true);
  assert.equal(seen.size, 3);
  assert.equal(seen.firstTime('b'), false);
  assert.equal(seen.firstTime('a'), true, 'a was the oldest, forgotten when d came');
  assert.equal(seen.size, 3);
});

test('a repeat does not refresh an id: forgetting stays in first-seen order, so memory never grows past the bound', () => {
  const seen = new SeenIds(2);
  seen.firstTime('a');
  seen.firstTime('b');
  seen.firstTime('a');
  seen.firstTime('c');
  assert.equal(seen.firstTime('a'), true);
  for (let i = 0; i < 10_000; i++) seen.firstTime(`x${i}`);
  assert.equal(seen.size, 2);
});

test('forget lets an id through again (its intake failed and will be retried)', () => {
  const seen = new SeenIds(5);
  seen.firstTime('a');
  seen.forget('a');
  assert.equal(seen.firstTime('a'), true);
});
