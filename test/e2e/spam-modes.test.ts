// The spam modes and their refusal codes over real WebSockets: unique chat
// (r9k), duplicates, the account-age gate (followers_only), first-time
// chatters (the `first` mark, holding their first line), the review queue's
// live frames and the author's outcome.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../support/ws-client.ts';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { signedToken } from '../support/tokens.ts';
import { removeDir } from '../support/temp-dir.ts';

let server: TestServer;
const clients: TestClient[] = [];

async function member(name: string, stream: string, roles: string[] = []): Promise<TestClient> {
  const c = await chatter(server, name, roles.length > 0 ? { [stream]: roles } : {}, stream);
  clients.push(c);
  return c;
}

async function setModes(mod: TestClient, stream: string, modes: Record<string, unknown>): Promise<void> {
  const ack = await mod.request({ type: 'mod', stream, action: 'modes', modes });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
}

const say = (c: TestClient, stream: string, text: string) => c.request({ type: 'send', stream, text });

before(async () => {
  server = await startTestServer(['--held-message-ttl-ms', '1500']);
});
after(async () => {
  for (const c of clients) c.close();
  await server.stop();
  removeDir(server.dataDir);
});

describe('unique chat (r9k)', () => {
  test('a line whose folded text anyone sent in the window is refused with r9k; moderators are exempt; off lets it through', async () => {
    const mod = await member('r9kmod', 'r9k', ['moderator']);
    const alice = await member('r9kalice', 'r9k');
    const bob = await member('r9kbob', 'r9k');
    await setModes(mod, 'r9k', { uniqueChatMinutes: 5 });
    assert.equal((await bob.next('state', (f) => f.modes.uniqueChatMinutes === 5)).modes.uniqueChatMinutes, 5);

    assert.equal((await say(alice, 'r9k', 'Hello there friend')).type, 'ack');
    const refused = await say(bob, 'r9k', 'HELLO   thérе FRIEND');
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'r9k');
    assert.equal((await say(bob, 'r9k', 'hello there, another friend')).type, 'ack');
    assert.equal((await say(mod, 'r9k', 'hello there friend')).type, 'ack', 'moderators are exempt');

    await setModes(mod, 'r9k', { uniqueChatMinutes: 0 });
    assert.equal((await say(bob, 'r9k', 'Hello there friend')).type, 'ack');
  });
});

describe('duplicates', () => {
  test('a repeat of the user\'s own last line within 30 s is refused with duplicate and retryAfterMs; others, other lines and moderators pass', async () => {
    const mod = await member('dupmod', 'dup', ['moderator']);
    const alice = await member('dupalice', 'dup');
    const bob = await member('dupbob', 'dup');
    assert.equal((await say(alice, 'dup', 'same old line')).type, 'ack');
    const refused = await say(alice, 'dup', 'Same  old line');
    assert.equal(refused.code, 'duplicate');
    assert.ok(refused.retryAfterMs > 25_000 && refused.retryAfterMs <= 30_000, String(refused.retryAfterMs));
    assert.equal((await say(bob, 'dup', 'same old line')).type, 'ack', 'another user');
    assert.equal((await say(alice, 'dup', 'a new line')).type, 'ack');
    assert.equal((await say(alice, 'dup', 'same old line')).type, 'ack', 'only the last line counts');
    assert.equal((await say(mod, 'dup', 'mod says')).type, 'ack');
    assert.equal((await say(mod, 'dup', 'mod says')).type, 'ack', 'moderators are exempt');
  });
});

describe('account-age gate (followers_only)', () => {
  test('with knownForMinutes set, a user first seen just now is refused with followers_only; the known_since claim and moderators pass', async () => {
    const mod = await member('agemod', 'age', ['moderator']);
    await setModes(mod, 'age', { knownForMinutes: 10 });
    const fresh = await member('agefresh', 'age');
    const refused = await say(fresh, 'age', 'hi all');
    assert.equal(refused.code, 'followers_only');
    assert.ok(refused.retryAfterMs > 9 * 60_000 && refused.retryAfterMs <= 10 * 60_000, String(refused.retryAfterMs));

    const veteran = await TestClient.connect(server.wsUrl);
    clients.push(veteran);
    veteran.send({ type: 'auth', token: await signedToken('ageveteran', { knownSince: Math.floor(Date.now() / 1000) - 3_600 }) });
    await veteran.next('welcome', (f) => f.user !== null);
    veteran.send({ type: 'join', stream: 'age' });
    await veteran.next('joined');
    assert.equal((await say(veteran, 'age', 'known for an hour')).type, 'ack');
    assert.equal((await say(mod, 'age', 'mods are exempt')).type, 'ack');

    await setModes(mod, 'age', { knownForMinutes: -1 });
    assert.equal((await say(fresh, 'age', 'hi all')).type, 'ack');
  });
});

describe('first-time chatters', () => {
  test('a user\'s first line in a stream carries first: true live and in history; their next line does not', async () => {
    const viewer = await member('firstviewer', 'firsts');
    const newbie = await member('firstnewbie', 'firsts');
    const one = await say(newbie, 'firsts', 'my very first line');
    const two = await say(newbie, 'firsts', 'and a second one');
    const lines = [await viewer.next('msg', (f) => f.id === one.id), await viewer.next('msg', (f) => f.id === two.id)];
    assert.deepEqual(lines.map((m) => m.first), [true, undefined]);
    const late = await member('firstlate', 'firsts');
    const history = (late.frames.find((f) => f.type === 'joined')!.history as Array<{ id: string; first?: boolean }>).filter((m) => m.id === one.id || m.id === two.id);
    assert.deepEqual(history.map((m) => m.first), [true, undefined]);
    // The same user is a first-time chatter in another stream.
    newbie.send({ type: 'join', stream: 'firsts2' });
    await newbie.next('joined', (f) => f.stream === 'firsts2');
    const elsewhere = await say(newbie, 'firsts2', 'hello other stream');
    assert.equal((await newbie.next('msg', (f) => f.id === elsewhere.id)).first, true);
  });

  test('holdFirstMessages: a first line is held, moderators see it live, approval publishes it marked reviewed and tells the author', async () => {
    const mod = await member('holdmod', 'holds', ['moderator']);
    const viewer = await member('holdviewer', 'holds');
    await setModes(mod, 'holds', { holdFirstMessages: true });
    const newbie = await member('holdnewbie', 'holds');
    const refused = await say(newbie, 'holds', 'let me in');
    assert.equal(refused.code, 'held');
    const held = await mod.next('held', (f) => f.text === 'let me in');
    assert.equal(held.user.name, 'holdnewbie');
    assert.equal(held.reason, 'first message in this chat');
    assert.ok(held.expiresAt > held.heldAt);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(viewer.frames.some((f) => f.type === 'held'), false, 'a viewer never sees the review queue');
    assert.equal(newbie.frames.some((f) => f.type === 'held'), false);

    assert.equal((await mod.request({ type: 'mod', stream: 'holds', action: 'approve', id: held.id })).type, 'ack');
    const line = await viewer.next('msg', (f) => f.text === 'let me in');
    assert.equal(line.reviewed, true);
    assert.equal(line.first, true);
    const outcome = await newbie.next('reviewed', (f) => f.id === held.id);
    assert.equal(outcome.outcome, 'approved');
    assert.equal(outcome.seq, line.seq);
    assert.equal((await mod.next('reviewed', (f) => f.id === held.id)).outcome, 'approved');
    assert.equal(viewer.frames.some((f) => f.type === 'reviewed'), false, 'only moderators and the author learn outcomes');

    // Not first any more: the next line goes straight out.
    assert.equal((await say(newbie, 'holds', 'thanks')).type, 'ack');

    const other = await member('holdother', 'holds');
    assert.equal((await say(other, 'holds', 'me too')).code, 'held');
    const second = await mod.next('held', (f) => f.text === 'me too');
    assert.equal((await mod.request({ type: 'mod', stream: 'holds', action: 'deny', id: second.id })).type, 'ack');
    assert.equal((await other.next('reviewed', (f) => f.id === second.id)).outcome, 'denied');
    assert.equal((await mod.request({ type: 'mod', stream: 'holds', action: 'approve', id: second.id })).code, 'invalid');
    // A viewer may not approve.
    const third = await member('holdthird', 'holds');
    assert.equal((await say(third, 'holds', 'anyone?')).code, 'held');
    const pending = await mod.next('held', (f) => f.text === 'anyone?');
    assert.equal((await viewer.request({ type: 'mod', stream: 'holds', action: 'approve', id: pending.id })).code, 'forbidden');
  });

  test('a held line expires after heldMessageTtlMs: the author and moderators are told, and it can no longer be approved', async () => {
    const mod = await member('expmod', 'expiry', ['moderator']);
    await setModes(mod, 'expiry', { holdFirstMessages: true });
    const newbie = await member('expnewbie', 'expiry');
    assert.equal((await say(newbie, 'expiry', 'anyone there')).code, 'held');
    const held = await mod.next('held', (f) => f.text === 'anyone there');
    const outcome = await newbie.next('reviewed', (f) => f.id === held.id, 5_000);
    assert.equal(outcome.outcome, 'expired');
    assert.equal((await mod.next('reviewed', (f) => f.id === held.id)).outcome, 'expired');
    assert.equal((await mod.request({ type: 'mod', stream: 'expiry', action: 'approve', id: held.id })).code, 'invalid');
  });
});
