// Rate limits on what costs the server most for the least: history reads
// without a token (per client address, with a smaller page) and moderator
// writes (per moderator, over WebSocket, HTTP and IRC together).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { getFrom, type PlainResponse } from '../support/client-address.ts';
import { tmiChatter } from '../support/irc-clients.ts';

const READ_RATE = 2; // per second, burst of twice that
const READ_BURST = READ_RATE * 2;
const ANONYMOUS_PAGE = 5;
const MOD_ACTIONS = 5; // per minute: none come back during the test

let server: TestServer;
const cleanups: Array<() => unknown> = [];
before(async () => {
  server = await startTestServer([
    '--anonymous-read-rate', String(READ_RATE),
    '--anonymous-read-max', String(ANONYMOUS_PAGE),
    '--moderator-action-limit', String(MOD_ACTIONS),
    '--moderator-action-window-ms', '60000',
    '--rate-limit-messages', '1000',
  ]);
});
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await server?.stop();
});

/** Anonymous reads from one address until one is refused; every one before it must have been answered in full. */
async function readUntilRefused(address: string, path: string, max: number): Promise<{ answered: PlainResponse[]; refused: PlainResponse | undefined }> {
  const answered: PlainResponse[] = [];
  for (let i = 0; i < max; i++) {
    const res = await getFrom(address, server.url + path);
    if (res.status !== 200) return { answered, refused: res };
    answered.push(res);
  }
  return { answered, refused: undefined };
}

test('history reads without a token: a smaller page, and a per-address limit answered with 429 rate_limited', async () => {
  const { token } = await devToken(server.url, 'poster');
  for (let i = 0; i < 20; i++) assert.equal((await apiCall(server.url, 'POST', '/api/streams/history/messages', token, { text: `line ${i}` })).status, 201);

  const { answered, refused } = await readUntilRefused('127.0.0.1', '/api/streams/history/messages?after=0&limit=50', 20);
  assert.ok(answered.length >= READ_BURST, `the burst is answered (${answered.length})`);
  for (const res of answered) assert.equal(res.body.messages.length, ANONYMOUS_PAGE);
  assert.ok(refused !== undefined, 'a flood is refused');
  assert.equal(refused.status, 429);
  assert.equal(refused.body.code, 'rate_limited');
  assert.ok(refused.body.retryAfterMs > 0 && refused.body.retryAfterMs <= 1_000 / READ_RATE, String(refused.body.retryAfterMs));
  assert.equal(refused.headers['retry-after'], String(Math.ceil(refused.body.retryAfterMs / 1000)));

  // Replays and the newest page are history reads too.
  assert.equal((await getFrom('127.0.0.1', `${server.url}/api/streams/history/messages?from=0`)).status, 429);
  // Another address has its own bucket, and the same page size.
  const other = await getFrom('127.0.0.2', `${server.url}/api/streams/history/messages?from=0`);
  assert.equal(other.status, 200);
  assert.equal(other.body.messages.length, ANONYMOUS_PAGE);

  // After the wait it was told, the first address reads again.
  await new Promise((resolve) => setTimeout(resolve, refused.body.retryAfterMs));
  assert.equal((await getFrom('127.0.0.1', `${server.url}/api/streams/history/messages?after=0`)).status, 200);
});

test('history reads with a valid token: the full page and no per-address limit; a bad token is 401, not anonymous', async () => {
  const { token } = await devToken(server.url, 'reader');
  for (let i = 0; i < READ_BURST * 3; i++) {
    const res = await getFrom('127.0.0.3', `${server.url}/api/streams/history/messages?after=0`, { authorization: `Bearer ${token}` });
    assert.equal(res.status, 200);
    assert.equal(res.body.messages.length, 20);
  }
  assert.equal((await getFrom('127.0.0.4', `${server.url}/api/streams/history/messages?after=0`, { authorization: 'Bearer nonsense' })).status, 401);
});

test('moderator writes are limited per moderator across WebSocket, HTTP and IRC', async () => {
  const roles = { modflood: ['broadcaster'] };
  const boss = await chatter(server, 'boss', roles, 'modflood');
  cleanups.push(() => boss.close());
  for (let i = 0; i < MOD_ACTIONS; i++) {
    const answer = await boss.request({ type: 'mod', stream: 'modflood', action: 'ban', user: `troll${i}` });
    assert.equal(answer.type, 'ack', JSON.stringify(answer));
  }
  const refused = await boss.request({ type: 'mod', stream: 'modflood', action: 'ban', user: 'troll-too-many' });
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'rate_limited');
  assert.ok(refused.retryAfterMs > 0, JSON.stringify(refused));

  // The same moderator over HTTP: bans, modes and role grants all count.
  const { token } = await devToken(server.url, 'boss', roles);
  const ban = await apiCall(server.url, 'PUT', '/api/streams/modflood/bans/troll-http', token, {});
  assert.equal(ban.status, 429);
  assert.ok(Number(ban.headers.get('retry-after')) > 0);
  assert.equal(((await ban.json()) as { code: string }).code, 'rate_limited');
  assert.equal((await apiCall(server.url, 'PATCH', '/api/streams/modflood/modes', token, { slowSeconds: 5 })).status, 429);
  assert.equal((await apiCall(server.url, 'PUT', '/api/streams/modflood/roles/someone', token, { roles: ['vip'] })).status, 429);

  // And over IRC: Twitch's msg_ratelimit notice.
  const irc = await tmiChatter(server, 'boss', roles);
  cleanups.push(() => irc.client.disconnect().catch(() => undefined));
  await irc.client.join('#modflood');
  await irc.client.say('#modflood', '/emoteonly');
  const [, msgId] = await irc.events.next('notice', (channel: string) => channel === '#modflood');
  assert.equal(msgId, 'msg_ratelimit');

  // Another moderator has a limit of its own; reading is not a write.
  const { token: helper } = await devToken(server.url, 'helper', { modflood: ['moderator'] });
  assert.equal((await apiCall(server.url, 'PUT', '/api/streams/modflood/bans/troll-helper', helper, {})).status, 204);
  assert.equal((await apiCall(server.url, 'GET', '/api/streams/modflood/roles', token)).status, 200);
});
