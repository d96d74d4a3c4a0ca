// The per-user limits of a send, over the wire: the rate check comes before
// any work on the text (so refused lines count), and one user's sends over all
// streams together are limited (rateLimitUserMessages), not just per stream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall } from '../support/api.ts';
import { devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';

const PER_STREAM = 3;
const OVER_ALL_STREAMS = 5;
let server: TestServer;

before(async () => {
  server = await startTestServer([
    '--rate-limit-messages', String(PER_STREAM),
    '--rate-limit-user-messages', String(OVER_ALL_STREAMS),
    '--blocked-terms', 'slur',
  ]);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

async function post(token: string, stream: string, text: string): Promise<{ status: number; code?: string; retryAfterMs?: number }> {
  const res = await apiCall(server.url, 'POST', `/api/streams/${stream}/messages`, token, { text });
  const body = (await res.json()) as { code?: string; retryAfterMs?: number };
  return { status: res.status, code: body.code, retryAfterMs: body.retryAfterMs };
}

test('lines that automod or normalisation refuse count toward the rate limit: it is checked first', async () => {
  const { token } = await devToken(server.url, 'spammer');
  assert.equal((await post(token, 'limits-a', 'you slur')).code, 'blocked');
  assert.equal((await post(token, 'limits-a', '\u200B\u200B')).code, 'invalid');
  assert.equal((await post(token, 'limits-a', 'slur again')).code, 'blocked');
  const limited = await post(token, 'limits-a', 'a clean line');
  assert.equal(limited.status, 429);
  assert.equal(limited.code, 'rate_limited');
  assert.ok(limited.retryAfterMs! > 0);
});

test(`one user's sends over all streams together are limited to rateLimitUserMessages per window`, async () => {
  const { token } = await devToken(server.url, 'hopper');
  for (let i = 0; i < OVER_ALL_STREAMS; i++) assert.equal((await post(token, `hop-${i}`, 'hello')).status, 201, `stream ${i}`);
  const limited = await post(token, `hop-${OVER_ALL_STREAMS}`, 'hello');
  assert.equal(limited.status, 429);
  assert.equal(limited.code, 'rate_limited');
  assert.ok(limited.retryAfterMs! > 0);
  const { token: other } = await devToken(server.url, 'bystander');
  assert.equal((await post(other, `hop-${OVER_ALL_STREAMS}`, 'hello')).status, 201, 'another user is not held back');
});
