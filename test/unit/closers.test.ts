import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Closers } from '../../src/process/closers.ts';

test('closers run newest first, once, and a failing one does not keep the rest open', async () => {
  const closers = new Closers();
  const closed: string[] = [];
  closers.add('seams', () => closed.push('seams'));
  closers.add('http', async () => {
    closed.push('http');
    throw new Error('busy');
  });
  closers.add('gateway', async () => closed.push('gateway'));
  await assert.rejects(closers.closeAll(), /closing http failed: busy/);
  assert.deepEqual(closed, ['gateway', 'http', 'seams']);
  await assert.rejects(closers.closeAll(), /closing http failed/); // the same outcome, nothing closed twice
  assert.deepEqual(closed, ['gateway', 'http', 'seams']);
});

test('every failure is named when more than one closer fails', async () => {
  const closers = new Closers();
  closers.add('a', () => Promise.reject(new Error('one')));
  closers.add('b', () => Promise.reject(new Error('two')));
  await assert.rejects(closers.closeAll(), (err: Error) => err instanceof AggregateError && /closing b failed: two; closing a failed: one/.test(err.message));
});
