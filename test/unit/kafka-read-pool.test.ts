// The read pool merges identical reads and bounds what waits (no broker needed: the reads here never fetch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadPool } from '../../src/log/kafka/read-pool.ts';
import { TopicReader } from '../../src/log/kafka/topic-reader.ts';

function pool(readers: number, maxQueued: number): ReadPool {
  const make = (): TopicReader => new TopicReader({ brokers: ['127.0.0.1:1'], topic: 't', clientId: 'pool-test', timeoutMs: 100 });
  return new ReadPool(Array.from({ length: readers }, make), maxQueued);
}

test('identical concurrent reads run once and share the result', async () => {
  const reads = pool(2, 100);
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const run = async (): Promise<number> => {
    runs++;
    await gate;
    return 42;
  };
  const all = Promise.all(Array.from({ length: 50 }, () => reads.read('same', run)));
  release();
  assert.deepEqual(await all, Array(50).fill(42));
  assert.equal(runs, 1);
  // Once settled, the same key runs again (no stale result is kept).
  assert.equal(await reads.read('same', run), 42);
  assert.equal(runs, 2);
  await reads.close();
});

test('reads beyond the readers wait, beyond the queue they are refused', async () => {
  const reads = pool(1, 2);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const order: string[] = [];
  const run = (key: string) => async (): Promise<string> => {
    order.push(key);
    await gate;
    return key;
  };
  const first = reads.read('a', run('a'));
  const second = reads.read('b', run('b'));
  const third = reads.read('c', run('c'));
  await assert.rejects(reads.read('d', run('d')), /too many reads waiting/);
  assert.deepEqual(order, ['a'], 'one reader runs one read at a time');
  release();
  assert.deepEqual(await Promise.all([first, second, third]), ['a', 'b', 'c']);
  assert.deepEqual(order, ['a', 'b', 'c']);
  await reads.close();
});
