import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../support/ws-client.ts';
import { devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';

// Every frame type and error code of PROTOCOL.md over real WebSockets against the whole server.

let server: TestServer;

const json = (res: Response): Promise<any> => res.json();
const clients: TestClient[] = [];

async function client(name?: string, roles: Record<string, string[]> = {}): Promise<TestClient> {
  const c = await TestClient.connect(server.wsUrl);
  clients.push(c);
  if (name !== undefined) {
    const { token } = await devToken(server.url, name, roles);
    c.send({ type: 'auth', token });
    await c.next('welcome');
  }
  return c;
}

async function joined(c: TestClient, stream: string, extra: Record<string, unknown> = {}) {
  c.send({ type: 'join', stream, ...extra });
  return c.next('joined', (f) => f.stream === stream);
}

before(async () => {
  server = await startTestServer(['--held-terms', 'holdme', '--blocked-terms', 'badword', '--rate-limit-messages', '5', '--max-in-flight', '1000']);
});
after(async () => {
  for (const c of clients) c.close();
  await server.stop();
  removeDir(server.dataDir);
});

describe('connection', () => {
  test('welcome on connect is anonymous and carries the limits', async () => {
    const c = await TestClient.connect(server.wsUrl);
    clients.push(c);
    const welcome = c.frames[0]!;
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.user, null);
    assert.equal(welcome.limits.maxFrameBytes, 8192);
    assert.equal(welcome.limits.maxTextLength, 500);
  });

  test('auth answers welcome with the user, and a bad token with unauthorized', async () => {
    const c = await client();
    const { token, user } = await devToken(server.url, 'alice', { s1: ['subscriber'] });
    c.send({ type: 'auth', token });
    const welcome = await c.next('welcome');
    assert.equal(welcome.user.id, user.id);
    assert.equal(welcome.user.name, 'alice');
    assert.deepEqual(welcome.roles, { s1: ['subscriber'] });
    c.send({ type: 'auth', token: token.slice(0, -4) + 'AAAA' });
    const error = await c.next('error');
    assert.equal(error.code, 'unauthorized');
  });

  test('frames sent right behind auth wait for it, in order', async () => {
    const c = await client();
    const { token, user } = await devToken(server.url, 'quick');
    c.send({ type: 'auth', token });
    c.send({ type: 'join', stream: 'gate' });
    c.send({ type: 'send', stream: 'gate', text: 'first words', nonce: 'q1' });
    const ack = await c.next('ack', (f) => f.nonce === 'q1');
    assert.equal(typeof ack.seq, 'number');
    const line = await c.next('msg');
    assert.equal(line.user.id, user.id);
    assert.deepEqual(c.frames.map((f) => f.type).slice(0, 3), ['welcome', 'welcome', 'joined']);
  });

  test('ping is answered by pong with the nonce', async () => {
    const c = await client();
    c.send({ type: 'ping', nonce: 'p1' });
    assert.equal((await c.next('pong')).nonce, 'p1');
  });
});

describe('chat', () => {
  test('join answers joined with seq, history and state; send is acked and reaches every viewer', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const j = await joined(alice, 'chat1');
    assert.equal(j.seq, 0);
    assert.deepEqual(j.history, []);
    assert.deepEqual(j.state.modes, DEFAULT_MODES);
    assert.equal(j.state.rate.sampling, false);
    await joined(bob, 'chat1');

    const ack = await alice.request({ type: 'send', stream: 'chat1', text: 'hello Kappa' });
    assert.equal(ack.type, 'ack');
    assert.equal(ack.seq, 1);
    assert.equal(ack.sampled, false);
    assert.equal(typeof ack.id, 'string');
    assert.ok(Math.abs(ack.ts - Date.now()) < 5_000);
    const [line] = (await bob.next('msg')).type === 'msg' ? bob.liveMessages('chat1') : [];
    assert.equal(line!.id, ack.id);
    assert.equal(line!.text, 'hello Kappa');
    assert.equal(line!.user.name, 'alice');
    assert.deepEqual(line!.emotes, [{ name: 'Kappa', start: 6, end: 11 }]);

    const late = await client();
    const j2 = await joined(late, 'chat1');
    assert.equal(j2.seq, 1);
    assert.deepEqual(j2.history.map((m: { id: string }) => m.id), [ack.id]);
  });

  test('messages stored in one commit reach viewers as one batch frame, in seq order', async () => {
    const caster = await client('caster', { chat5: ['broadcaster'] });
    const viewer = await client();
    await joined(caster, 'chat5');
    await joined(viewer, 'chat5');
    const acks = await Promise.all(Array.from({ length: 10 }, (_, i) => caster.request({ type: 'send', stream: 'chat5', text: `b${i}` })));
    const last = Math.max(...acks.map((a) => a.seq));
    await viewer.nextMatching((f) => (f.type === 'msg' && f.seq === last) || (f.type === 'batch' && f.msgs.some((m: { seq: number }) => m.seq === last)));
    const batch = viewer.frames.find((f) => f.type === 'batch');
    assert.ok(batch !== undefined, 'no batch frame');
    assert.equal(batch.stream, 'chat5');
    assert.ok(batch.msgs.length >= 2);
    assert.deepEqual(viewer.liveMessages('chat5').map((m) => m.seq), acks.map((a) => a.seq).sort((a, b) => a - b));
  });

  test('leave stops delivery and is answered by left', async () => {
    const alice = await client('alice');
    const viewer = await client();
    await joined(alice, 'chat2');
    await joined(viewer, 'chat2');
    viewer.send({ type: 'leave', stream: 'chat2' });
    await viewer.next('left');
    await alice.request({ type: 'send', stream: 'chat2', text: 'after leave' });
    viewer.send({ type: 'ping', nonce: 'sync' });
    await viewer.next('pong');
    assert.equal(viewer.liveMessages('chat2').length, 0);
  });

  test('history and since return displayable messages in order', async () => {
    const alice = await client('alice');
    await joined(alice, 'chat3');
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await alice.request({ type: 'send', stream: 'chat3', text: `m${i}` }));
    const v = await client();
    const j = await joined(v, 'chat3', { history: 2 });
    assert.deepEqual(j.history.map((m: { text: string }) => m.text), ['m2', 'm3']);
    const v2 = await client();
    const j2 = await joined(v2, 'chat3', { since: acks[0].seq });
    assert.deepEqual(j2.history.map((m: { text: string }) => m.text), ['m1', 'm2', 'm3']);
    assert.equal(j2.seq, acks[3].seq);
  });
});

describe('refusals', () => {
  test('invalid JSON, unknown types and wrong field types get invalid and the connection stays', async () => {
    const c = await client('carol');
    for (const bad of ['{not json', '[]', '{"type":"dance"}', '{"type":"join","stream":5}', '{"type":"join","stream":"bad stream!"}', '{"type":"send","stream":"x","text":7,"nonce":"k"}']) {
      c.send(bad);
      const e = await c.next('error');
      assert.equal(e.code, 'invalid', bad);
    }
    c.send({ type: 'ping', nonce: 'alive' });
    assert.equal((await c.next('pong')).nonce, 'alive');
  });

  test('anonymous send is unauthorized; send before join is not_joined', async () => {
    const anon = await client();
    await joined(anon, 'r1');
    assert.equal((await anon.request({ type: 'send', stream: 'r1', text: 'hi' })).code, 'unauthorized');
    const dave = await client('dave');
    assert.equal((await dave.request({ type: 'send', stream: 'r1', text: 'hi' })).code, 'not_joined');
  });

  test('too long, empty after normalisation, blocked, held', async () => {
    const c = await client('erin');
    await joined(c, 'r2');
    assert.equal((await c.request({ type: 'send', stream: 'r2', text: 'x'.repeat(501) })).code, 'too_long');
    assert.equal((await c.request({ type: 'send', stream: 'r2', text: '\u200b\u0007  ' })).code, 'invalid');
    assert.equal((await c.request({ type: 'send', stream: 'r2', text: 'you b a d w 0 r d' })).code, 'blocked');
    const held = await c.request({ type: 'send', stream: 'r2', text: 'please holdme' });
    assert.equal(held.code, 'held');
  });

  test('rate_limited with retryAfterMs after the per-user limit', async () => {
    const c = await client('frank');
    await joined(c, 'r3');
    for (let i = 0; i < 5; i++) assert.equal((await c.request({ type: 'send', stream: 'r3', text: `n${i}` })).type, 'ack');
    const e = await c.request({ type: 'send', stream: 'r3', text: 'one too many' });
    assert.equal(e.code, 'rate_limited');
    assert.ok(e.retryAfterMs > 0 && e.retryAfterMs <= 30_000);
  });
});

describe('moderation', () => {
  test('a viewer may not moderate: forbidden; anonymous: unauthorized', async () => {
    const v = await client('gina');
    assert.equal((await v.request({ type: 'mod', stream: 'm1', action: 'ban', user: 'x' })).code, 'forbidden');
    const anon = await client();
    assert.equal((await anon.request({ type: 'mod', stream: 'm1', action: 'ban', user: 'x' })).code, 'unauthorized');
  });

  test('delete retracts a message for every viewer and removes it from history', async () => {
    const mod = await client('mo', { m2: ['moderator'] });
    const user = await client('hank');
    await joined(mod, 'm2');
    await joined(user, 'm2');
    const ack = await user.request({ type: 'send', stream: 'm2', text: 'delete me' });
    assert.equal((await mod.request({ type: 'mod', stream: 'm2', action: 'delete', id: ack.id })).type, 'ack');
    const retract = await user.next('retract');
    assert.deepEqual(retract.ids, [ack.id]);
    const late = await client();
    assert.deepEqual((await joined(late, 'm2')).history, []);
  });

  test('timeout clears the user and refuses them with timed_out; ban with banned; unban lets them back', async () => {
    const mod = await client('mo', { m3: ['broadcaster'] });
    const user = await client('ivan');
    await joined(mod, 'm3');
    await joined(user, 'm3');
    const ivanId = (await devToken(server.url, 'ivan')).user.id;
    await user.request({ type: 'send', stream: 'm3', text: 'before' });
    await mod.request({ type: 'mod', stream: 'm3', action: 'timeout', user: ivanId, seconds: 600 });
    const clear = await mod.next('clear');
    assert.deepEqual({ user: clear.user, reason: clear.reason, seconds: clear.seconds }, { user: ivanId, reason: 'timeout', seconds: 600 });
    const e1 = await user.request({ type: 'send', stream: 'm3', text: 'x' });
    assert.equal(e1.code, 'timed_out');
    assert.ok(e1.retryAfterMs > 590_000);
    await mod.request({ type: 'mod', stream: 'm3', action: 'ban', user: ivanId });
    assert.equal((await mod.next('clear')).reason, 'ban');
    assert.equal((await user.request({ type: 'send', stream: 'm3', text: 'x' })).code, 'banned');
    await mod.request({ type: 'mod', stream: 'm3', action: 'unban', user: ivanId });
    assert.equal((await user.request({ type: 'send', stream: 'm3', text: 'back' })).type, 'ack');
  });

  test('modes: slow_mode, subscribers_only, emote_only, each announced by a state frame', async () => {
    const mod = await client('mo', { m4: ['moderator'] });
    const sub = await client('judy', { m4: ['subscriber'] });
    const user = await client('kim');
    for (const c of [mod, sub, user]) await joined(c, 'm4');

    await mod.request({ type: 'mod', stream: 'm4', action: 'modes', modes: { slowSeconds: 30 } });
    assert.equal((await user.next('state', (f) => f.modes.slowSeconds === 30)).stream, 'm4');
    assert.equal((await user.request({ type: 'send', stream: 'm4', text: 'one' })).type, 'ack');
    const slow = await user.request({ type: 'send', stream: 'm4', text: 'two' });
    assert.equal(slow.code, 'slow_mode');
    assert.ok(slow.retryAfterMs > 25_000);
    assert.equal((await mod.request({ type: 'send', stream: 'm4', text: 'mods are exempt' })).type, 'ack');
    assert.equal((await mod.request({ type: 'send', stream: 'm4', text: 'twice' })).type, 'ack');

    await mod.request({ type: 'mod', stream: 'm4', action: 'modes', modes: { slowSeconds: 0, subscribersOnly: true } });
    await user.next('state', (f) => f.modes.subscribersOnly === true);
    assert.equal((await user.request({ type: 'send', stream: 'm4', text: 'hi' })).code, 'subscribers_only');
    assert.equal((await sub.request({ type: 'send', stream: 'm4', text: 'hi' })).type, 'ack');

    await mod.request({ type: 'mod', stream: 'm4', action: 'modes', modes: { subscribersOnly: false, emoteOnly: true } });
    await user.next('state', (f) => f.modes.emoteOnly === true);
    assert.equal((await sub.request({ type: 'send', stream: 'm4', text: 'words' })).code, 'emote_only');
    assert.equal((await sub.request({ type: 'send', stream: 'm4', text: 'Kappa PogChamp' })).type, 'ack');
  });

  test('rules: a stream blocked term and links are refused with blocked', async () => {
    const mod = await client('mo', { m5: ['moderator'] });
    const user = await client('liam');
    await joined(user, 'm5');
    const ok = await mod.request({ type: 'mod', stream: 'm5', action: 'rules', rules: { blockedTerms: ['spoiler'], blockLinks: true } });
    assert.equal(ok.type, 'ack');
    assert.equal((await user.request({ type: 'send', stream: 'm5', text: 'SP0ILER alert' })).code, 'blocked');
    assert.equal((await user.request({ type: 'send', stream: 'm5', text: 'see example.com/x' })).code, 'blocked');
    assert.equal((await user.request({ type: 'send', stream: 'm5', text: 'fine message' })).type, 'ack');
    assert.equal((await mod.request({ type: 'mod', stream: 'm5', action: 'rules', rules: { blockedTerms: 5 } })).code, 'invalid');
  });

  test('held messages can be approved by a moderator and then go out', async () => {
    const mod = await client('mo', { m6: ['moderator'] });
    const user = await client('mia');
    await joined(mod, 'm6');
    await joined(user, 'm6');
    assert.equal((await user.request({ type: 'send', stream: 'm6', text: 'holdme please' })).code, 'held');
    const { token } = await devToken(server.url, 'mo', { m6: ['moderator'] });
    const list = await json(await fetch(`${server.url}/api/streams/m6/held`, { headers: { authorization: `Bearer ${token}` } }));
    assert.equal(list.held.length, 1);
    assert.equal((await mod.request({ type: 'mod', stream: 'm6', action: 'approve', id: list.held[0].id })).type, 'ack');
    assert.equal((await user.next('msg')).text, 'holdme please');
  });
});
