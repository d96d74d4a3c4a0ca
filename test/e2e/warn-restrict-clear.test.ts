// Warnings, restricted users and /clear over real WebSockets and HTTP: a
// warned user's sends are refused (`warned`, with the reason) until they
// acknowledge, across a reconnect; a restricted user's line reaches them and
// moderators, never a viewer; /clear reaches everyone; a delete says who did
// it; and the hierarchy holds for each action.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';
import { TestClient } from '../support/ws-client.ts';

let server: TestServer;
const open: TestClient[] = [];
before(async () => {
  server = await startTestServer();
});
after(async () => {
  for (const c of open) c.close();
  await server.stop();
  removeDir(server.dataDir);
});

async function member(name: string, stream: string, roles: string[] = []) {
  const client = await chatter(server, name, roles.length > 0 ? { [stream]: roles } : {}, stream);
  open.push(client);
  const { user, token } = await devToken(server.url, name, roles.length > 0 ? { [stream]: roles } : {});
  return { client, id: user.id, name, token };
}

async function anonymousViewer(stream: string): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  open.push(client);
  client.send({ type: 'join', stream });
  await client.next('joined');
  return client;
}

test('warn: sends are refused with warned and the reason, also after a reconnect, until the user acknowledges', async () => {
  const stream = 'warn-ws';
  const mod = await member('w_mod', stream, ['moderator']);
  const user = await member('w_user', stream);
  assert.equal((await user.client.request({ type: 'send', stream, text: 'before the warning' })).type, 'ack');
  const bystander = await member('w_bystander', stream);
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'warn', user: user.id, reason: 'no spoilers please' })).type, 'ack');
  // The warned user is told at once; nobody else is.
  assert.deepEqual(await user.client.next('warning'), { type: 'warning', stream, reason: 'no spoilers please' });

  const refused = await user.client.request({ type: 'send', stream, text: 'the ending is' });
  assert.equal(refused.code, 'warned', JSON.stringify(refused));
  assert.match(refused.message, /no spoilers please/);

  // A new connection of the same user is refused the same way: the warning is in the state store.
  user.client.close();
  const again = await chatter(server, 'w_user', {}, stream);
  open.push(again);
  assert.equal((await again.request({ type: 'send', stream, text: 'reconnected' })).code, 'warned');

  assert.equal((await again.request({ type: 'acknowledge', stream })).type, 'ack');
  assert.ok(![bystander.client, mod.client].some((c) => c.frames.some((f) => f.type === 'warning')), 'only the warned user was told');
  const accepted = await again.request({ type: 'send', stream, text: 'sorry, no spoilers' });
  assert.equal(accepted.type, 'ack', JSON.stringify(accepted));
  assert.ok(accepted.seq > 0);
  // Acknowledging with nothing waiting is acknowledged too; an anonymous connection cannot.
  assert.equal((await again.request({ type: 'acknowledge', stream })).type, 'ack');
  const anonymous = await anonymousViewer(stream);
  assert.equal((await anonymous.request({ type: 'acknowledge', stream })).code, 'unauthorized');
});

test('warn, restrict, clear: only moderators, never on the broadcaster or another moderator, never oneself', async () => {
  const stream = 'warn-roles';
  const caster = await member('wr_caster', stream, ['broadcaster']);
  const mod = await member('wr_mod', stream, ['moderator']);
  const other = await member('wr_other', stream, ['moderator']);
  const viewer = await member('wr_viewer', stream);
  for (const action of [{ action: 'warn', user: mod.id, reason: 'x' }, { action: 'restrict', user: mod.id }, { action: 'clear' }]) {
    assert.equal((await viewer.client.request({ type: 'mod', stream, ...action })).code, 'forbidden', `a viewer's ${action.action}`);
  }
  for (const target of [caster, other]) {
    for (const action of [{ action: 'warn', user: target.id, reason: 'x' }, { action: 'restrict', user: target.id }, { action: 'unrestrict', user: target.id }]) {
      const refused = await mod.client.request({ type: 'mod', stream, ...action });
      assert.equal(refused.code, 'forbidden', `${action.action} of ${target.name}: ${JSON.stringify(refused)}`);
    }
  }
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'warn', user: mod.id, reason: 'me' })).code, 'invalid');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'restrict', user: mod.id })).code, 'invalid');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'warn', user: viewer.id, reason: '' })).code, 'invalid', 'a reason is required');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'warn', user: viewer.id, reason: 'x'.repeat(501) })).code, 'invalid');
  // The broadcaster acts on moderators.
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'warn', user: other.id, reason: 'calm down' })).type, 'ack');
  assert.equal((await other.client.request({ type: 'send', stream, text: 'hmm' })).code, 'warned');
});

test('restrict: the line reaches its author and moderators, never a viewer, and is in no history; unrestrict ends it', async () => {
  const stream = 'restrict-ws';
  const mod = await member('r_mod', stream, ['moderator']);
  const shadowed = await member('r_shadowed', stream);
  const viewer = await member('r_viewer', stream);
  const anonymous = await anonymousViewer(stream);
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'restrict', user: shadowed.id })).type, 'ack');

  const ack = await shadowed.client.request({ type: 'send', stream, text: 'buy followers at example' });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  assert.equal(ack.seq, 0, 'no place in the stream\'s order');
  for (const who of [mod.client, shadowed.client]) {
    const line = await who.next('restricted');
    assert.deepEqual([line.id, line.text, line.seq, line.user.id, line.stream], [ack.id, 'buy followers at example', 0, shadowed.id, stream]);
  }
  // A line after it reaches every viewer; the restricted one is in nothing they received.
  const later = await mod.client.request({ type: 'send', stream, text: 'a normal line' });
  for (const who of [viewer.client, anonymous]) {
    await who.next('msg', (f) => f.id === later.id);
    assert.ok(!JSON.stringify(who.frames).includes('buy followers'), 'the viewer never got the restricted line');
  }
  const late = await chatter(server, 'r_late', {}, stream);
  open.push(late);
  const joined = late.frames.find((f) => f.type === 'joined')!;
  assert.ok(!JSON.stringify(joined.history).includes('buy followers'), 'not in history');
  const replay = (await (await apiCall(server.url, 'GET', `/api/streams/${stream}/messages?after=0`, mod.token)).json()) as { messages: Array<{ text: string }> };
  assert.ok(!replay.messages.some((m) => m.text.includes('buy followers')), 'not in the log, even for a moderator');

  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'unrestrict', user: shadowed.id })).type, 'ack');
  const free = await shadowed.client.request({ type: 'send', stream, text: 'back to normal' });
  assert.ok(free.seq > 0);
  await viewer.client.next('msg', (f) => f.id === free.id);
});

test('clear: every viewer gets a clear without a user; a delete names the moderator who did it', async () => {
  const stream = 'clear-ws';
  const mod = await member('c_mod', stream, ['moderator']);
  const viewer = await member('c_viewer', stream);
  const anonymous = await anonymousViewer(stream);
  const line = await viewer.client.request({ type: 'send', stream, text: 'delete me' });
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'delete', id: line.id })).type, 'ack');
  const retract = await anonymous.next('retract');
  assert.deepEqual([retract.ids, retract.reason, retract.by], [[line.id], 'deleted', { id: mod.id, name: 'c_mod' }]);

  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'clear' })).type, 'ack');
  for (const who of [viewer.client, anonymous, mod.client]) {
    const clear = await who.next('clear');
    assert.deepEqual(clear, { type: 'clear', stream, reason: 'clear' });
  }
});

test('HTTP: warn, acknowledge, restrict, unrestrict and clear', async () => {
  const stream = 'standing-http';
  const mod = await member('h_mod', stream, ['moderator']);
  const user = await member('h_user', stream);
  const viewer = await anonymousViewer(stream);
  const call = (method: string, path: string, token?: string, body?: unknown) => apiCall(server.url, method, `/api/streams/${stream}${path}`, token, body);

  assert.equal((await call('PUT', `/warnings/${user.id}`, user.token, { reason: 'x' })).status, 403, 'a viewer may not warn');
  assert.equal((await call('PUT', `/warnings/${user.id}`, mod.token, {})).status, 400, 'a reason is required');
  assert.equal((await call('PUT', `/warnings/${user.id}`, mod.token, { reason: 'keep it civil' })).status, 204);
  const refused = await call('POST', '/messages', user.token, { text: 'rude words' });
  assert.equal(refused.status, 403);
  const body = (await refused.json()) as { code: string; message: string };
  assert.equal(body.code, 'warned');
  assert.match(body.message, /keep it civil/);
  assert.equal((await call('POST', '/warning/acknowledge')).status, 401);
  assert.equal((await call('POST', '/warning/acknowledge', user.token)).status, 204);
  assert.equal((await call('POST', '/messages', user.token, { text: 'civil words' })).status, 201);

  assert.equal((await call('PUT', `/restrictions/${user.id}`, mod.token)).status, 204);
  const shadowed = await call('POST', '/messages', user.token, { text: 'shadowed words' });
  assert.equal(shadowed.status, 201);
  assert.equal(((await shadowed.json()) as { seq: number }).seq, 0);
  await mod.client.next('restricted', (f) => f.text === 'shadowed words');
  assert.equal((await call('DELETE', `/restrictions/${user.id}`, mod.token)).status, 204);
  assert.equal((await call('POST', '/messages', user.token, { text: 'seen again' })).status, 201);
  await viewer.next('msg', (f) => f.text === 'seen again');
  assert.ok(!JSON.stringify(viewer.frames).includes('shadowed words'));

  assert.equal((await call('POST', '/clear', user.token)).status, 403);
  assert.equal((await call('POST', '/clear', mod.token)).status, 204);
  assert.deepEqual(await viewer.next('clear'), { type: 'clear', stream, reason: 'clear' });
});
