import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RedisClientType } from '@redis/client';
import { deleteKeys, redisForTests, uniquePrefix } from '../support/redis.ts';

// A gateway busy with a big fan-out turns its event loop slowly. Commands
// queued in one turn must all go to Redis within a turn or two, not a
// socket buffer's worth or so per turn (Node's default is 16 KiB; about
// 60 KB a turn went out here): at a few turns a second that starved ingest and
// sends failed `unavailable` with Redis idle (the explosion benchmark,
// BENCHMARKS.md).

const prefix = uniquePrefix();
let redis: RedisClientType;

before(async () => {
  redis = await redisForTests();
});

after(async () => {
  await deleteKeys(redis, prefix);
  await redis.close();
});

test('three thousand commands (3 MB) queued in one turn are answered within a few turns of a busy event loop', async () => {
  const commands = 3_000;
  const value = 'x'.repeat(1_000);
  let answered = 0;
  const replies: Promise<unknown>[] = [];
  for (let i = 0; i < commands; i++) replies.push(redis.set(`${prefix}turns:${i}`, value).then(() => answered++));

  // Each turn holds the loop for 50 ms, as a fan-out chunk does; bounded, so the test ends either way.
  let turns = 0;
  await new Promise<void>((resolve) => {
    const busyTurn = (): void => {
      turns++;
      const started = performance.now();
      while (performance.now() - started < 50);
      if (answered < commands && turns < 200) setImmediate(busyTurn);
      else resolve();
    };
    setImmediate(busyTurn);
  });
  await Promise.all(replies);
  // 3 MB took 51 turns with the default buffer (seen failing); Redis answers it within a few 50 ms turns.
  assert.ok(turns <= 20, `all ${commands} answered after ${turns} turns`);
});
