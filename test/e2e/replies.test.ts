// Reply threads over v1 (docs/protocol.md, "Replies"): real WebSocket clients against the whole server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, member, serverForFile } from '../support/servers.ts';
import type { Frame, TestClient } from '../support/ws-client.ts';

const server = await serverForFile(['--held-terms', 'holdme']);

/** The answer (ack or error) to a frame sent with this nonce. */
function answer(c: TestClient, frame: Record<string, unknown>, nonce: string): Promise<Frame> {
  c.send({ ...frame, nonce });
  return c.nextMatching((f) => (f.type === 'ack' || f.type === 'error') && f.nonce === nonce);
}

test('a reply carries its parent and thread, live and in history', async () => {
  const alice = await member(server, 'threads', 'alice');
  const bob = await member(server, 'threads', 'bob');
  const parent = await alice.request({ type: 'send', stream: 'threads', text: 'who is streaming next?' });
  assert.equal(parent.type, 'ack');

  const reply = await bob.request({ type: 'send', stream: 'threads', text: 'carol is', parent: parent.id });
  assert.equal(reply.type, 'ack');
  const live = await alice.next('msg', (f) => f.id === reply.id);
  const aliceUser = { id: live.reply.user.id, name: 'alice' };
  assert.deepEqual(live.reply, { id: parent.id, user: aliceUser, text: 'who is streaming next?', thread: { id: parent.id, user: aliceUser } });

  // A reply to the reply stays in the thread of the first line.
  const second = await alice.request({ type: 'send', stream: 'threads', text: 'thanks', parent: reply.id });
  const seen = await bob.next('msg', (f) => f.id === second.id);
  assert.equal(seen.reply.id, reply.id);
  assert.equal(seen.reply.user.name, 'bob');
  assert.deepEqual(seen.reply.thread, { id: parent.id, user: aliceUser });

  const late = await member(server, 'threads', 'late');
  const history = late.frames.find((f) => f.type === 'joined')!.history as Array<Record<string, any>>;
  assert.deepEqual(history.find((m) => m.id === reply.id)!.reply, live.reply);
  assert.equal(history.find((m) => m.id === parent.id)!.reply, undefined);

  const page = await (await fetch(`${server.url}/api/streams/threads/messages?limit=10`)).json() as { messages: Array<Record<string, any>> };
  assert.deepEqual(page.messages.find((m) => m.id === second.id)!.reply, seen.reply);
});

test("a long parent is quoted in at most 100 code points, ending in an ellipsis", async () => {
  const alice = await member(server, 'long', 'alice');
  const long = '🎉'.repeat(150);
  const parent = await alice.request({ type: 'send', stream: 'long', text: long });
  const reply = await alice.request({ type: 'send', stream: 'long', text: 'so many', parent: parent.id });
  const seen = await alice.next('msg', (f) => f.id === reply.id);
  assert.equal(Array.from(seen.reply.text as string).length, 100);
  assert.equal(seen.reply.text, '🎉'.repeat(99) + '…');
});

test('a reply to a line that is not in the stream is refused invalid with its nonce', async () => {
  const mod = await member(server, 'gone', 'moddy', ['moderator']);
  const viewer = await member(server, 'gone', 'viewer');
  const other = await member(server, 'elsewhere', 'viewer');
  const elsewhere = await other.request({ type: 'send', stream: 'elsewhere', text: 'in another stream' });

  const unknown = await answer(viewer, { type: 'send', stream: 'gone', text: 'hm', parent: 'no-such-id' }, 'n1');
  assert.deepEqual([unknown.type, unknown.code, unknown.nonce], ['error', 'invalid', 'n1']);
  assert.match(unknown.message, /reply to is not in this chat/);

  const cross = await answer(viewer, { type: 'send', stream: 'gone', text: 'hm', parent: elsewhere.id }, 'n2');
  assert.deepEqual([cross.code, cross.nonce], ['invalid', 'n2']);

  const line = await viewer.request({ type: 'send', stream: 'gone', text: 'delete me' });
  assert.equal((await mod.request({ type: 'mod', stream: 'gone', action: 'delete', id: line.id })).type, 'ack');
  await viewer.next('retract', (f) => f.ids.includes(line.id));
  const deleted = await answer(viewer, { type: 'send', stream: 'gone', text: 'hm', parent: line.id }, 'n3');
  assert.deepEqual([deleted.code, deleted.nonce], ['invalid', 'n3']);

  const bad = await answer(viewer, { type: 'send', stream: 'gone', text: 'hm', parent: 'x'.repeat(129) }, 'n4');
  assert.deepEqual([bad.code, bad.message], ['invalid', 'parent must be a string of 1-128 characters']);
});

test('a parent older than what the gateway holds is found in the log, unless it was deleted', async () => {
  const alice = await member(server, 'cold', 'alice');
  const mod = await member(server, 'cold', 'moddy', ['moderator']);
  const kept = await alice.request({ type: 'send', stream: 'cold', text: 'an old line' });
  const removed = await alice.request({ type: 'send', stream: 'cold', text: 'an old deleted line' });
  await mod.request({ type: 'mod', stream: 'cold', action: 'delete', id: removed.id });
  alice.close();
  mod.close();
  // The gateway drops a stream five seconds after its last viewer: its recent lines go with it.
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  const bob = await member(server, 'cold', 'bob');
  const reply = await bob.request({ type: 'send', stream: 'cold', text: 'replying late', parent: kept.id });
  assert.equal(reply.type, 'ack');
  assert.equal((await bob.next('msg', (f) => f.id === reply.id)).reply.text, 'an old line');
  const refused = await bob.request({ type: 'send', stream: 'cold', text: 'replying late', parent: removed.id });
  assert.equal(refused.code, 'invalid');
});

test('a held reply keeps its quote when a moderator approves it', async () => {
  const mod = await member(server, 'heldreplies', 'moddy', ['moderator']);
  const viewer = await member(server, 'heldreplies', 'viewer');
  const parent = await mod.request({ type: 'send', stream: 'heldreplies', text: 'ask me anything' });
  const held = await viewer.request({ type: 'send', stream: 'heldreplies', text: 'holdme please', parent: parent.id });
  assert.equal(held.code, 'held');
  const { token } = await devToken(server.url, 'moddy', { heldreplies: ['moderator'] });
  const list = await (await fetch(`${server.url}/api/streams/heldreplies/held`, { headers: { authorization: `Bearer ${token}` } })).json() as { held: Array<{ id: string }> };
  assert.equal(list.held.length, 1);
  assert.equal((await mod.request({ type: 'mod', stream: 'heldreplies', action: 'approve', id: list.held[0]!.id })).type, 'ack');
  const approved = await viewer.next('msg', (f) => f.text === 'holdme please');
  assert.equal(approved.reply.id, parent.id);
  assert.equal(approved.reply.text, 'ask me anything');
});
