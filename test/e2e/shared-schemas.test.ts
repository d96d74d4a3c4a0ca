// WebSocket frames and HTTP requests are checked by the same schemas
// (src/protocol/schemas.ts): a value is accepted or refused alike over both,
// with the same sentence. These were the limits that once disagreed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';
import type { TestClient } from '../support/ws-client.ts';

const STREAM = 'shared-schemas';
let server: TestServer;
let caster: TestClient;
let token: string;
before(async () => {
  server = await startTestServer();
  caster = await chatter(server, 'schemacaster', { [STREAM]: ['broadcaster'] }, STREAM);
  token = (await devToken(server.url, 'schemacaster', { [STREAM]: ['broadcaster'] })).token;
});
after(async () => {
  caster?.close();
  await server.stop();
  removeDir(server.dataDir);
});

async function overWs(frame: Record<string, unknown>): Promise<{ type: string; code?: string; message?: string }> {
  return caster.request({ stream: STREAM, ...frame });
}

async function overHttp(method: string, path: string, body?: unknown): Promise<{ status: number; body: { code?: string; message?: string } | null }> {
  const res = await apiCall(server.url, method, `/api/streams/${STREAM}${path}`, token, body);
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

test('a blank blocked term is refused over both, with the same sentence', async () => {
  const rules = { blockedTerms: ['ok', '   '], blockLinks: false };
  const ws = await overWs({ type: 'mod', action: 'rules', rules });
  const http = await overHttp('PUT', '/rules', rules);
  assert.equal(ws.code, 'invalid');
  assert.equal(http.status, 400);
  assert.equal(http.body?.message, ws.message);
  assert.equal(ws.message, 'each of blockedTerms must be a non-empty string of at most 100 characters');
});

test('rules without blockLinks are accepted over both, and terms are trimmed over both', async () => {
  assert.equal((await overWs({ type: 'mod', action: 'rules', rules: { blockedTerms: [' spoiler '] } })).type, 'ack');
  assert.deepEqual((await overHttp('GET', '/rules')).body, { blockedTerms: ['spoiler'], blockLinks: false, emotes: [] });
  const put = await overHttp('PUT', '/rules', { blockedTerms: [' plot twist '] });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body, { blockedTerms: ['plot twist'], blockLinks: false, emotes: [] });
  assert.deepEqual((await overHttp('GET', '/rules')).body, { blockedTerms: ['plot twist'], blockLinks: false, emotes: [] });
});

test('a held message id has one bound: 128 characters over both (not the router\'s 100)', async () => {
  const id = 'h'.repeat(128);
  // Past the schema on both: the answer is about the held message, not the id's length.
  const wsAnswer = await overWs({ type: 'mod', action: 'deny', id });
  const httpAnswer = await overHttp('DELETE', `/held/${id}`);
  assert.doesNotMatch(String(wsAnswer.message), /characters/);
  assert.equal(httpAnswer.body?.message, wsAnswer.message);
  const tooLong = 'h'.repeat(129);
  const ws = await overWs({ type: 'mod', action: 'deny', id: tooLong });
  const http = await overHttp('DELETE', `/held/${tooLong}`);
  assert.equal(ws.message, 'id must be a string of 1-128 characters');
  assert.equal(http.status, 400);
  assert.equal(http.body?.message, ws.message);
});

test('modes and timeouts out of bounds read the same over both', async () => {
  const ws = await overWs({ type: 'mod', action: 'modes', modes: { slowSeconds: 86_401 } });
  const http = await overHttp('PATCH', '/modes', { slowSeconds: 86_401 });
  assert.equal(ws.message, 'slowSeconds must be an integer from 0 to 86400');
  assert.equal(http.body?.message, ws.message);
  const unknown = await overHttp('PATCH', '/modes', { loud: true });
  assert.equal(unknown.body?.message, (await overWs({ type: 'mod', action: 'modes', modes: { loud: true } })).message);
  const user = (await devToken(server.url, 'schemaviewer')).user.id;
  const wsBan = await overWs({ type: 'mod', action: 'timeout', user, seconds: 0 });
  const httpBan = await overHttp('PUT', `/bans/${user}`, { seconds: 0 });
  assert.equal(wsBan.message, 'seconds must be an integer from 1 to 1209600');
  assert.equal(httpBan.body?.message, wsBan.message);
});

test('an empty text is the chat service\'s refusal over both', async () => {
  const ws = await overWs({ type: 'send', text: '' });
  const http = await overHttp('POST', '/messages', { text: '' });
  assert.equal(ws.code, 'invalid');
  assert.equal(ws.message, 'the message is empty');
  assert.equal(http.body?.message, ws.message);
});
