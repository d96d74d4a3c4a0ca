// Roles granted on the server (extension): the broadcaster grants moderator
// or VIP over WebSocket or HTTP; the grant counts everywhere roles count.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';

let server: TestServer;
before(async () => {
  // One test fills a stream's 1,000 grants at once: above the moderator write limit, which rate-limits.test.ts covers.
  server = await startTestServer(['--moderator-action-limit', '10000']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return apiCall(server.url, method, path, token, body);
}

test('a granted moderator may moderate until the grant is revoked; only the broadcaster grants', async () => {
  const stream = 'granted-mod';
  const caster = await chatter(server, 'caster', { [stream]: ['broadcaster'] }, stream);
  const tokenMod = await chatter(server, 'tokenmod', { [stream]: ['moderator'] }, stream);
  const bob = await chatter(server, 'bob', {}, stream);
  const bobId = (await devToken(server.url, 'bob')).user.id;
  const viewer = await chatter(server, 'plainviewer', {}, stream);
  // A moderator deletes lines of users below them (a viewer's, not the broadcaster's).
  const line = await viewer.request({ type: 'send', stream, text: 'delete me' });

  assert.equal((await bob.request({ type: 'mod', stream, action: 'delete', id: line.id })).code, 'forbidden');
  assert.equal((await tokenMod.request({ type: 'mod', stream, action: 'grant', user: bobId, role: 'moderator' })).code, 'forbidden', 'a moderator may not grant');
  assert.equal((await caster.request({ type: 'mod', stream, action: 'grant', user: bobId, role: 'superuser' })).code, 'invalid');
  assert.equal((await caster.request({ type: 'mod', stream, action: 'grant', user: bobId, role: 'moderator' })).type, 'ack');
  assert.equal((await bob.request({ type: 'mod', stream, action: 'delete', id: line.id })).type, 'ack', 'the granted moderator deletes');
  // `joined` tells a signed-in viewer its roles there, granted ones included (so a page shows its tools).
  bob.send({ type: 'join', stream });
  assert.deepEqual((await bob.next('joined')).roles, ['moderator']);
  const anonymous = await TestClient.connect(server.wsUrl);
  anonymous.send({ type: 'join', stream });
  assert.equal('roles' in (await anonymous.next('joined')), false);
  anonymous.close();
  // A granted moderator sends as one: the badge, and slow mode does not hold them back.
  assert.equal((await caster.request({ type: 'mod', stream, action: 'modes', modes: { slowSeconds: 60 } })).type, 'ack');
  const first = await bob.request({ type: 'send', stream, text: 'one' });
  const second = await bob.request({ type: 'send', stream, text: 'two' });
  assert.equal(second.type, 'ack', JSON.stringify(second));
  const shown = await caster.nextMatching((f) => f.type === 'msg' && f.id === first.id);
  assert.deepEqual(shown.user.badges, ['moderator']);

  assert.equal((await caster.request({ type: 'mod', stream, action: 'revoke', user: bobId, role: 'moderator' })).type, 'ack');
  assert.equal((await bob.request({ type: 'mod', stream, action: 'unban', user: 'someone' })).code, 'forbidden', 'revoked at once');
  assert.equal((await bob.request({ type: 'send', stream, text: 'three' })).code, 'slow_mode');
  for (const client of [caster, tokenMod, bob, viewer]) client.close();
});

test('a granted VIP passes subscribers-only mode', async () => {
  const stream = 'granted-vip';
  const caster = await chatter(server, 'caster2', { [stream]: ['broadcaster'] }, stream);
  const fan = await chatter(server, 'fan', {}, stream);
  const fanId = (await devToken(server.url, 'fan')).user.id;
  assert.equal((await caster.request({ type: 'mod', stream, action: 'modes', modes: { subscribersOnly: true } })).type, 'ack');
  assert.equal((await fan.request({ type: 'send', stream, text: 'let me in' })).code, 'subscribers_only');
  assert.equal((await caster.request({ type: 'mod', stream, action: 'grant', user: fanId, role: 'vip' })).type, 'ack');
  const ack = await fan.request({ type: 'send', stream, text: 'thanks' });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  assert.deepEqual((await caster.nextMatching((f) => f.type === 'msg' && f.id === ack.id)).user.badges, ['vip']);
  caster.close();
  fan.close();
});

test('HTTP: the broadcaster sets roles, moderators list them, nobody else does either', async () => {
  const stream = 'granted-http';
  const caster = (await devToken(server.url, 'caster3', { [stream]: ['broadcaster'] })).token;
  const mod = (await devToken(server.url, 'mod3', { [stream]: ['moderator'] })).token;
  const viewer = (await devToken(server.url, 'viewer3')).token;
  const path = `/api/streams/${stream}/roles`;
  assert.equal((await call('PUT', `${path}/u_1`, caster, { roles: ['moderator', 'vip'] })).status, 204);
  assert.equal((await call('PUT', `${path}/u_2`, caster, { roles: ['vip'] })).status, 204);
  assert.equal((await call('PUT', `${path}/u_2`, mod, { roles: [] })).status, 403);
  assert.equal((await call('PUT', `${path}/u_2`, undefined, { roles: [] })).status, 401);
  assert.equal((await call('PUT', `${path}/u_2`, caster, { roles: ['broadcaster'] })).status, 400);
  assert.equal((await call('GET', path, viewer)).status, 403);
  const listed = (await (await call('GET', path, mod)).json()) as { grants: Array<{ user: string; roles: string[] }> };
  assert.deepEqual(listed.grants.sort((a, b) => a.user.localeCompare(b.user)), [{ user: 'u_1', roles: ['moderator', 'vip'] }, { user: 'u_2', roles: ['vip'] }]);
  assert.equal((await call('PUT', `${path}/u_1`, caster, { roles: [] })).status, 204);
  const after = (await (await call('GET', path, caster)).json()) as { grants: unknown[] };
  assert.equal(after.grants.length, 1);
});

test('HTTP: at most 1,000 users per stream hold granted roles; a refusal says so, and changing or revoking a holder still works', async () => {
  const stream = 'granted-bound';
  const caster = (await devToken(server.url, 'caster4', { [stream]: ['broadcaster'] })).token;
  const path = `/api/streams/${stream}/roles`;
  for (let i = 0; i < 1_000; i += 50) {
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, j) => call('PUT', `${path}/u_${i + j}`, caster, { roles: ['vip'] }).then((r) => r.status)));
    assert.deepEqual(new Set(statuses), new Set([204]));
  }
  const refused = await call('PUT', `${path}/one_too_many`, caster, { roles: ['vip'] });
  assert.equal(refused.status, 400);
  const body = (await refused.json()) as { code: string; message: string };
  assert.equal(body.code, 'invalid');
  assert.match(body.message, /at most 1000 users/);
  assert.equal((await call('PUT', `${path}/u_0`, caster, { roles: ['moderator', 'vip'] })).status, 204, 'a holder may still be changed');
  assert.equal((await call('PUT', `${path}/u_1`, caster, { roles: [] })).status, 204);
  assert.equal((await call('PUT', `${path}/one_too_many`, caster, { roles: ['vip'] })).status, 204, 'room again after a revoke');
  const listed = (await (await call('GET', path, caster)).json()) as { grants: unknown[] };
  assert.equal(listed.grants.length, 1_000);
});

test('a banned user is given no role (WebSocket and HTTP); taking one away still works', async () => {
  const stream = 'granted-banned';
  const caster = await chatter(server, 'caster5', { [stream]: ['broadcaster'] }, stream);
  const trollId = (await devToken(server.url, 'troll')).user.id;
  assert.equal((await caster.request({ type: 'mod', stream, action: 'grant', user: trollId, role: 'vip' })).type, 'ack');
  assert.equal((await caster.request({ type: 'mod', stream, action: 'ban', user: trollId })).type, 'ack');
  const refused = await caster.request({ type: 'mod', stream, action: 'grant', user: trollId, role: 'moderator' });
  assert.equal(refused.code, 'invalid');
  assert.match(refused.message, /banned/);
  const token = (await devToken(server.url, 'caster5', { [stream]: ['broadcaster'] })).token;
  assert.equal((await call('PUT', `/api/streams/${stream}/roles/${trollId}`, token, { roles: ['vip', 'moderator'] })).status, 400);
  assert.equal((await caster.request({ type: 'mod', stream, action: 'revoke', user: trollId, role: 'vip' })).type, 'ack');
  // A timeout ends by itself and does not stand in the way.
  assert.equal((await caster.request({ type: 'mod', stream, action: 'timeout', user: trollId, seconds: 60 })).type, 'ack');
  assert.equal((await caster.request({ type: 'mod', stream, action: 'grant', user: trollId, role: 'vip' })).type, 'ack');
  caster.close();
});
