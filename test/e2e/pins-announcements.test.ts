// Pinned lines, announcements and the host site's system notices over v1 and
// HTTP (docs/protocol.md): real WebSocket clients against the whole server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { member, serverForFile } from '../support/servers.ts';
import type { Frame } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';

const ADMIN_TOKEN = 'an-admin-token-of-at-least-32-bytes!';
const server = await serverForFile(['--admin-token', ADMIN_TOKEN, '--state-interval-ms', '200']);

/** `token` null: none sent. */
function notice(stream: string, body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
  return apiCall(server.url, 'POST', `/api/streams/${stream}/notices`, token ?? undefined, body);
}

test('a moderator pins a line: it is in every state, a late join included, until unpinned', async () => {
  const mod = await member(server, 'pins', 'moddy', ['moderator']);
  const viewer = await member(server, 'pins', 'viewer');
  const line = await viewer.request({ type: 'send', stream: 'pins', text: 'pin me' });

  const refused = await viewer.request({ type: 'mod', stream: 'pins', action: 'pin', id: line.id });
  assert.equal(refused.code, 'forbidden');
  assert.equal((await mod.request({ type: 'mod', stream: 'pins', action: 'pin', id: 'nope' })).code, 'invalid');

  assert.equal((await mod.request({ type: 'mod', stream: 'pins', action: 'pin', id: line.id })).type, 'ack');
  const state = await viewer.next('state', (f) => f.pinned !== undefined);
  assert.equal(state.pinned.message.id, line.id);
  assert.equal(state.pinned.message.text, 'pin me');
  assert.equal(state.pinned.by.name, 'moddy');
  assert.equal(state.pinned.until, undefined);

  const late = await member(server, 'pins', 'late');
  assert.equal(late.frames.find((f) => f.type === 'joined')!.state.pinned.message.id, line.id);

  assert.equal((await mod.request({ type: 'mod', stream: 'pins', action: 'unpin' })).type, 'ack');
  const unpinned = await late.next('state', (f) => f.pinned === undefined && f.modes !== undefined);
  assert.equal(unpinned.pinned, undefined);
  const again = await member(server, 'pins', 'again');
  assert.equal(again.frames.find((f) => f.type === 'joined')!.state.pinned, undefined);
});

test('a pin with an expiry leaves every viewer by itself', async () => {
  const mod = await member(server, 'brief', 'moddy', ['moderator']);
  const viewer = await member(server, 'brief', 'viewer');
  const line = await mod.request({ type: 'send', stream: 'brief', text: 'for a moment' });
  const bad = await mod.request({ type: 'mod', stream: 'brief', action: 'pin', id: line.id, seconds: 0 });
  assert.deepEqual([bad.code, bad.message], ['invalid', 'seconds must be an integer from 1 to 86400']);

  const before = Date.now();
  await mod.request({ type: 'mod', stream: 'brief', action: 'pin', id: line.id, seconds: 1 });
  const pinned = await viewer.next('state', (f) => f.pinned !== undefined);
  assert.ok(pinned.pinned.until >= before + 1_000 && pinned.pinned.until <= Date.now() + 1_000);
  const gone = await viewer.next('state', (f) => f.pinned === undefined, 5_000);
  assert.ok(Date.now() >= pinned.pinned.until, 'not before its time');
  assert.equal(gone.pinned, undefined);
  const late = await member(server, 'brief', 'late');
  assert.equal(late.frames.find((f) => f.type === 'joined')!.state.pinned, undefined);
});

test('a moderator announces in a colour; a viewer may not', async () => {
  const mod = await member(server, 'news', 'moddy', ['moderator']);
  const viewer = await member(server, 'news', 'viewer');
  const sent = await mod.request({ type: 'send', stream: 'news', text: 'we start in 5', announce: 'purple' });
  assert.equal(sent.type, 'ack');
  const seen = await viewer.next('msg', (f) => f.id === sent.id);
  assert.equal(seen.announcement, 'purple');
  assert.equal(seen.text, 'we start in 5');

  const refused = await viewer.request({ type: 'send', stream: 'news', text: 'me too', announce: 'blue' });
  assert.equal(refused.code, 'forbidden');
  const bad = await mod.request({ type: 'send', stream: 'news', text: 'x', announce: 'pink' });
  assert.deepEqual([bad.code, bad.message], ['invalid', 'announce must be one of primary, blue, green, orange, purple']);

  const late = await member(server, 'news', 'late');
  const history = late.frames.find((f) => f.type === 'joined')!.history as Frame[];
  assert.equal(history.find((m) => m.id === sent.id)!.announcement, 'purple');
});

test('the host site injects a notice with the admin token: its own frame live, a line in history', async () => {
  const viewer = await member(server, 'subs', 'viewer');
  assert.equal((await notice('subs', { kind: 'sub', user: { id: 'u1', name: 'Dana' }, system: 'Dana subscribed.' }, null)).status, 401);
  assert.equal((await notice('subs', { kind: 'sub', user: { id: 'u1', name: 'Dana' }, system: 'Dana subscribed.' }, 'wrong')).status, 401);

  const res = await notice('subs', { kind: 'resub', user: { id: 'u1', name: 'Dana' }, system: 'Dana subscribed for 7 months!', text: '  hello\nchat  ', months: 7, plan: '2000' });
  assert.equal(res.status, 201);
  const published = await res.json() as { id: string; seq: number; ts: number };
  const frame = await viewer.next('notice', (f) => f.id === published.id);
  assert.equal(frame.seq, published.seq);
  assert.deepEqual(frame.user, { id: 'u1', name: 'Dana', badges: [] });
  assert.equal(frame.text, 'hello chat');
  assert.deepEqual(frame.notice, { kind: 'resub', system: 'Dana subscribed for 7 months!', months: 7, plan: '2000' });
  assert.equal(viewer.liveMessages('subs').length, 0, 'not a msg frame');

  const raid = await (await notice('subs', { kind: 'raid', user: { id: 'u2', name: 'Raider' }, system: '12 raiders from Raider have joined!', viewers: 12 })).json() as { id: string };
  assert.equal((await viewer.next('notice', (f) => f.id === raid.id)).text, '');

  const late = await member(server, 'subs', 'late');
  const history = late.frames.find((f) => f.type === 'joined')!.history as Frame[];
  assert.deepEqual(history.map((m) => m.notice?.kind), ['resub', 'raid']);
  const page = await (await fetch(`${server.url}/api/streams/subs/messages`)).json() as { messages: Frame[] };
  assert.deepEqual(page.messages.map((m) => m.notice?.kind), ['resub', 'raid']);
});

test('a notice out of bounds is refused 400 with a sentence that names the field', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ kind: 'follow', user: { id: 'u', name: 'a' }, system: 's' }, /kind must be one of sub, resub, subgift, submysterygift, raid/],
    [{ kind: 'sub', user: { id: 'u', name: 'a b' }, system: 's' }, /user.name must be 1-25 characters/],
    [{ kind: 'sub', user: { id: 'u', name: 'a' }, system: 'x'.repeat(201) }, /system must be a string of 1-200 characters/],
    [{ kind: 'sub', user: { id: 'u', name: 'a' }, system: 's', text: 'y'.repeat(501) }, /long/],
    [{ kind: 'raid', user: { id: 'u', name: 'a' }, system: 's', viewers: -1 }, /viewers must be an integer/],
    [{ kind: 'sub', user: { id: 'u', name: 'a' }, system: 's', extra: 1 }, /extra/],
  ];
  for (const [body, sentence] of cases) {
    const res = await notice('bounds', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(((await res.json()) as { message: string }).message, sentence);
  }
});
