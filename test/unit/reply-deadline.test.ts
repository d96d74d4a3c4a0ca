// The deadline counts the connection's silence, not a command's age: replies
// come in order, so a command whose predecessors are still being answered is
// queued, not lost. Commands here are promises settled on timers, as
// Redis's replies would settle them (test/faults/redis-restart.test.ts has a
// real Redis that hangs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyDeadline } from '../../src/redis/reply-deadline.ts';

/** A reply that arrives after `ms`. */
const replyIn = (ms: number): Promise<string> => new Promise((resolve) => setTimeout(() => resolve(`after ${ms} ms`), ms));

/** Commands answered one every 60 ms, the last after `count` x 60 ms; each outcome. */
function answeredInTurn(deadline: ReplyDeadline, count: number): Promise<Array<PromiseSettledResult<string>>> {
  return Promise.allSettled(Array.from({ length: count }, (_, i) => deadline.run(replyIn((i + 1) * 60))));
}

test('commands answered in turn, the last 300 ms after it was sent, all pass a 100 ms deadline', async () => {
  const results = await answeredInTurn(new ReplyDeadline(100), 5);
  assert.deepEqual(results.map((r) => r.status), Array(5).fill('fulfilled'));
});

test('while others are answered a command still waits at most its bound in all', async () => {
  const results = await answeredInTurn(new ReplyDeadline(100, 200), 5);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
  assert.match(String((results[3] as PromiseRejectedResult).reason), /Redis did not answer within 2\d\d ms/);
});

test('a command answered late after a silence longer than the deadline is refused', async () => {
  const deadline = new ReplyDeadline(100);
  await assert.rejects(deadline.run(replyIn(250)), /Redis did not answer within 1\d\d ms/);
});

test('a Redis error is an answer: it is passed on, and it keeps later commands waiting', async () => {
  const deadline = new ReplyDeadline(100);
  const failing = deadline.run(new Promise((_, reject) => setTimeout(() => reject(new Error('WRONGTYPE')), 80)));
  const later = deadline.run(replyIn(160));
  await assert.rejects(failing, /WRONGTYPE/);
  assert.equal(await later, 'after 160 ms');
});
