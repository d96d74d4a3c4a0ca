// The embedded broker's seq counters: started from the log, once per stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeqCounters } from '../../src/broker/seq-counters.ts';

const HOUR = 3_600_000;

test('concurrent first calls load lastSeq once', async () => {
  let loads = 0;
  const counters = new SeqCounters({
    loadLastSeq: async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 10;
    },
    idleMs: HOUR,
  });
  assert.deepEqual(await Promise.all([counters.next('s'), counters.next('s'), counters.next('s')]), [11, 12, 13]);
  assert.equal(loads, 1);
});

test('a failed load rejects, and the next call loads again', async () => {
  let calls = 0;
  const counters = new SeqCounters({
    loadLastSeq: async () => {
      if (++calls === 1) throw new Error('log unavailable');
      return 4;
    },
    idleMs: HOUR,
  });
  await assert.rejects(counters.next('s'), /log unavailable/);
  assert.equal(await counters.next('s'), 5);
});

test('an idle stream forgets its counter and reloads it from the log', async () => {
  const stored = new Map([['a', 7], ['b', 0]]);
  const counters = new SeqCounters({ loadLastSeq: async (stream) => stored.get(stream) ?? 0, idleMs: 0 });
  assert.equal(await counters.next('a'), 8);
  stored.set('a', 20); // what the log holds by the time 'a' is used again
  assert.equal(await counters.next('b'), 1); // its sweep step drops idle 'a'
  assert.equal(await counters.next('a'), 21);
});
