// Group commit's gathering: calls of one turn with one key go out together, at most maxGroup at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnGroups } from '../../src/broker/turn-groups.ts';

test('calls of one turn go out as one group per key, each answered with its own result; a full group leaves at once', async () => {
  const sent: Array<[string, number[]]> = [];
  const groups = new TurnGroups<number, number>(async (key, items) => {
    sent.push([key, items]);
    return items.map((n) => n * 10);
  }, 3);
  const answers = await Promise.all([groups.add('a', 1), groups.add('b', 2), groups.add('a', 3), groups.add('a', 4), groups.add('a', 5)]);
  assert.deepEqual(answers, [10, 20, 30, 40, 50]);
  assert.deepEqual(sent, [['a', [1, 3, 4]], ['b', [2]], ['a', [5]]]);
  assert.equal(await groups.add('a', 6), 60, 'a later turn is a new group');
  assert.deepEqual(sent.at(-1), ['a', [6]]);
});

test('a failed group rejects every call in it, and only those', async () => {
  const groups = new TurnGroups<string, string>(async (key, items) => {
    if (key === 'bad') throw new Error('redis timed out');
    return items;
  }, 10);
  const results = await Promise.allSettled([groups.add('bad', 'x'), groups.add('bad', 'y'), groups.add('good', 'z')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
});
