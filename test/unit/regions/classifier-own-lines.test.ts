// Multi-region mode: the classifier judges only the lines accepted in its own
// region; the others' come with their origin's verdict (a retraction decision).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownLines } from '../../../src/consumers/log-consumers.ts';
import type { LoggedMessage } from '../../../src/log/log.ts';

const line = (id: string, origin?: string): LoggedMessage => ({
  message: { id, stream: 's', seq: 1, ts: 0, user: { id: 'u', name: 'u', badges: [] }, text: 't', ...(origin === undefined ? {} : { origin }) },
  sampled: false,
});

test('in a region the classifier gets its own region\'s lines only; in one region every line', async () => {
  const records = [line('a', 'us'), line('b', 'eu'), line('c'), line('d', 'us')];
  const judged: string[] = [];
  const handler = async (batch: readonly LoggedMessage[]): Promise<void> => {
    judged.push(...batch.map((r) => r.message.id));
  };
  await ownLines('us', handler)(records);
  assert.deepEqual(judged, ['a', 'c', 'd']);
  judged.length = 0;
  await ownLines('', handler)(records);
  assert.deepEqual(judged, ['a', 'b', 'c', 'd']);
});
