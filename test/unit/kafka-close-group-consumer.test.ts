// The close of a Kafka consumer-group member, tried again while it fails
// (src/log/kafka/close-group-consumer.ts): a member whose close failed and was
// dropped rejoined after its broker restarted and held partitions nobody read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeGroupConsumer } from '../../src/log/kafka/close-group-consumer.ts';

/** A close that fails `failures` times (as @platformatic/kafka's does while the coordinator loads), then succeeds. */
function flakyClose(failures: number): { close: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    close: async () => {
      calls++;
      if (calls <= failures) throw new Error(`coordinator load in progress (${calls})`);
    },
    calls: () => calls,
  };
}

test('a close that fails is tried again until it succeeds, each failure reported', async () => {
  const { close, calls } = flakyClose(2);
  const errors: unknown[] = [];
  assert.equal(await closeGroupConsumer(close, { attempts: 5, waitMs: 1, onError: (e) => errors.push(e) }), true);
  assert.equal(calls(), 3);
  assert.equal(errors.length, 2);
});

test('a close that keeps failing is tried a bounded number of times, then given up without throwing', async () => {
  const { close, calls } = flakyClose(Infinity);
  const errors: unknown[] = [];
  assert.equal(await closeGroupConsumer(close, { attempts: 4, waitMs: 1, onError: (e) => errors.push(e) }), false);
  assert.equal(calls(), 4);
  assert.equal(errors.length, 4);
});
