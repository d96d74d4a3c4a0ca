// The HTTP send takes what the v1 send takes (docs/protocol.md, "Replies" and
// announcements): a reply's `parent` and a moderator's `announce`, checked by
// the same schemas and rules, seen by a real WebSocket viewer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import type { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';
import { removeDir } from '../support/temp-dir.ts';

let server: TestServer;
let viewer: TestClient;

before(async () => {
  server = await startTestServer();
  viewer = await chatter(server, 'watcher', {}, 'posts');
});
after(async () => {
  viewer.close();
  await server.stop();
  removeDir(server.dataDir);
});

async function post(token: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await apiCall(server.url, 'POST', '/api/streams/posts/messages', token, body);
  return { status: res.status, body: await res.json() as Record<string, any> };
}

test('a reply posted over HTTP carries its parent, live and when polled', async () => {
  const alice = await devToken(server.url, 'alice');
  const bob = await devToken(server.url, 'bob');
  const parent = await post(alice.token, { text: 'who streams next?' });
  assert.equal(parent.status, 201);
  const reply = await post(bob.token, { text: 'carol does', parent: parent.body.id });
  assert.equal(reply.status, 201);

  const seen = await viewer.next('msg', (f) => f.id === reply.body.id);
  const quoted = { id: parent.body.id, user: { id: alice.user.id, name: 'alice' }, text: 'who streams next?' };
  assert.deepEqual(seen.reply, { ...quoted, thread: { id: quoted.id, user: quoted.user } });
  const page = await (await apiCall(server.url, 'GET', '/api/streams/posts/messages?limit=10', bob.token)).json() as { messages: Array<Record<string, any>> };
  assert.deepEqual(page.messages.find((m) => m.id === reply.body.id)!.reply, seen.reply);
});

test("a reply's parent must be a line of the stream, within the v1 bounds", async () => {
  const { token } = await devToken(server.url, 'carol');
  const missing = await post(token, { text: 'to nothing', parent: 'no-such-line' });
  assert.deepEqual([missing.status, missing.body.code, missing.body.message], [400, 'invalid', 'the line you reply to is not in this chat (deleted, or never here)']);
  const long = await post(token, { text: 'x', parent: 'p'.repeat(129) });
  assert.deepEqual([long.status, long.body.message], [400, 'parent must be a string of 1-128 characters']);
});

test('a moderator announces over HTTP; a viewer may not, and a colour outside the list is refused', async () => {
  const mod = await devToken(server.url, 'moddy', { posts: ['moderator'] });
  const sent = await post(mod.token, { text: 'we start in 5', announce: 'green' });
  assert.equal(sent.status, 201);
  assert.equal((await viewer.next('msg', (f) => f.id === sent.body.id)).announcement, 'green');

  const { token } = await devToken(server.url, 'dave');
  const refused = await post(token, { text: 'me too', announce: 'blue' });
  assert.deepEqual([refused.status, refused.body.code], [403, 'forbidden']);
  const bad = await post(mod.token, { text: 'x', announce: 'pink' });
  assert.deepEqual([bad.status, bad.body.message], [400, 'announce must be one of primary, blue, green, orange, purple']);
});
