import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatError } from '../../src/protocol/errors.ts';

test('a ChatError is a refusal with its code and no captured stack; other errors keep theirs', () => {
  const limit = Error.stackTraceLimit;
  const refusal = new ChatError('overloaded', 'busy', 1_000, 'hot_stream');
  assert.ok(refusal instanceof Error);
  assert.deepEqual([refusal.code, refusal.message, refusal.retryAfterMs, refusal.shedBy], ['overloaded', 'busy', 1_000, 'hot_stream']);
  assert.doesNotMatch(refusal.stack ?? '', /\n\s+at /, 'no frames captured');
  assert.equal(Error.stackTraceLimit, limit, 'the limit is put back');
  assert.match(new Error('fault').stack ?? '', /\n\s+at /);
});
