// The YouTube layer's page tokens and resource ids (src/http/youtube/): what it
// gives reads back, and nothing else does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePageToken, encodePageToken } from '../../src/http/youtube/page-token.ts';
import { parseResourceId, resourceId } from '../../src/http/youtube/resource-ids.ts';
import { YouTubeError } from '../../src/http/youtube/youtube-errors.ts';

const refusedAs = (reason: string) => (err: unknown) => err instanceof YouTubeError && err.reason === reason;

test('a page token reads back as its position, for its own kind of list only', () => {
  for (const seq of [0, 1, 41, Number.MAX_SAFE_INTEGER]) assert.equal(decodePageToken('seq', encodePageToken('seq', seq)), seq);
  assert.doesNotMatch(encodePageToken('seq', 41), /41/, 'opaque');
  assert.throws(() => decodePageToken('offset', encodePageToken('seq', 3)), refusedAs('invalidPageToken'));
  for (const bad of ['', 'bm90LWEtdG9rZW4', Buffer.from('seq:01').toString('base64url'), Buffer.from('seq:-1').toString('base64url'), Buffer.from('seq:99999999999999999').toString('base64url')]) {
    assert.throws(() => decodePageToken('seq', bad), refusedAs('invalidPageToken'), bad);
  }
});

test('a resource id names its stream and the Chorus id, split at the first dot', () => {
  assert.deepEqual(parseResourceId(resourceId('my_stream-1', 'a.b.c'), 'x'), { stream: 'my_stream-1', id: 'a.b.c' });
  for (const bad of ['nodot', '.id', 'stream.', 'bad stream.id', `s.${'i'.repeat(129)}`]) {
    assert.throws(() => parseResourceId(bad, 'liveChatMessageNotFound'), refusedAs('liveChatMessageNotFound'), bad);
  }
});
