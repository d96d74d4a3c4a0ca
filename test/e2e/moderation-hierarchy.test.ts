// The moderation hierarchy over WebSocket and HTTP: moderators act only on
// users below them, the broadcaster on everyone, nobody bans themselves, a
// banned or timed-out moderator has no powers, and a ban retracts only the
// target's recent lines (clearWindowMs, clearMaxLines).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';
import { TestClient } from '../support/ws-client.ts';

const CLEAR_WINDOW_MS = 1_000;
const CLEAR_MAX_LINES = 3;

let server: TestServer;
before(async () => {
  server = await startTestServer(['--clear-window-ms', String(CLEAR_WINDOW_MS), '--clear-max-lines', String(CLEAR_MAX_LINES)]);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return apiCall(server.url, method, path, token, body);
}

async function refusal(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { code: string; message: string };
  return { status: response.status, ...body };
}

/** A signed-in WebSocket client in `stream`, its user id and token. */
async function member(name: string, stream: string, roles: string[] = [], on: TestServer = server) {
  const client = await chatter(on, name, roles.length > 0 ? { [stream]: roles } : {}, stream);
  const { user, token } = await devToken(on.url, name, roles.length > 0 ? { [stream]: roles } : {});
  return { client, id: user.id, token };
}

test('WebSocket: a moderator cannot ban, time out or delete the broadcaster or another moderator; the broadcaster can', async () => {
  const stream = 'hier-ws';
  const caster = await member('h_caster', stream, ['broadcaster']);
  const mod = await member('h_mod', stream, ['moderator']);
  const other = await member('h_othermod', stream, ['moderator']);
  const granted = await member('h_granted', stream);
  const viewer = await member('h_viewer', stream, ['vip']);
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'grant', user: granted.id, role: 'moderator' })).type, 'ack');
  // Token roles are known from the badges on the user's lines in the stream.
  const casterLine = await caster.client.request({ type: 'send', stream, text: 'hello chat' });
  const otherLine = await other.client.request({ type: 'send', stream, text: 'mod here' });
  const grantedLine = await granted.client.request({ type: 'send', stream, text: 'granted mod here' });
  const modLine = await mod.client.request({ type: 'send', stream, text: 'my own line' });

  for (const target of [caster, other, granted]) {
    for (const action of [{ action: 'ban', user: target.id }, { action: 'timeout', user: target.id, seconds: 1 }]) {
      const refused = await mod.client.request({ type: 'mod', stream, ...action });
      assert.equal(refused.code, 'forbidden', `${action.action} of ${target.id}: ${JSON.stringify(refused)}`);
      assert.match(refused.message, /broadcaster|moderator/);
    }
  }
  for (const line of [casterLine, otherLine, grantedLine]) {
    const refused = await mod.client.request({ type: 'mod', stream, action: 'delete', id: line.id });
    assert.equal(refused.code, 'forbidden', JSON.stringify(refused));
  }
  // Nobody bans themselves, the broadcaster included.
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'ban', user: caster.id })).code, 'invalid');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'timeout', user: mod.id, seconds: 5 })).code, 'invalid');
  // Below them, moderators act as before; their own lines they may delete.
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'delete', id: modLine.id })).type, 'ack');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'timeout', user: viewer.id, seconds: 60 })).type, 'ack');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'unban', user: viewer.id })).type, 'ack');
  // The broadcaster acts on moderators.
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'delete', id: otherLine.id })).type, 'ack');
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'timeout', user: other.id, seconds: 60 })).type, 'ack');
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'unban', user: other.id })).type, 'ack');
  for (const m of [caster, mod, other, granted, viewer]) m.client.close();
});

test('WebSocket: a banned or timed-out moderator has no powers while it lasts, and cannot unban themselves', async () => {
  const stream = 'hier-banned-ws';
  const caster = await member('hb_caster', stream, ['broadcaster']);
  const mod = await member('hb_mod', stream, ['moderator']);
  const viewer = await member('hb_viewer', stream);
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'timeout', user: mod.id, seconds: 600 })).type, 'ack');
  const actions = [
    { action: 'unban', user: mod.id },
    { action: 'ban', user: viewer.id },
    { action: 'modes', modes: { slowSeconds: 5 } },
    { action: 'rules', rules: { blockedTerms: [], blockLinks: false } },
  ];
  for (const action of actions) {
    const refused = await mod.client.request({ type: 'mod', stream, ...action });
    assert.equal(refused.code, 'forbidden', `${action.action}: ${JSON.stringify(refused)}`);
    assert.match(refused.message, /timed out/);
  }
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'ban', user: mod.id })).type, 'ack');
  assert.match((await mod.client.request({ type: 'mod', stream, action: 'unban', user: mod.id })).message, /banned/);
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'unban', user: mod.id })).type, 'ack');
  assert.equal((await mod.client.request({ type: 'mod', stream, action: 'ban', user: viewer.id })).type, 'ack', 'powers are back once unbanned');
  for (const m of [caster, mod, viewer]) m.client.close();
});

test('WebSocket: a token moderator or broadcaster who joined but never chatted is protected; the broadcaster still acts on them', async () => {
  const stream = 'hier-silent';
  const caster = await member('hs_caster', stream, ['broadcaster']);
  const mod = await member('hs_mod', stream, ['moderator']);
  const silent = await member('hs_silent', stream, ['moderator']);
  // Joined first, signed in afterwards: the sign-in counts for the stream already joined.
  const late = await devToken(server.url, 'hs_late', { [stream]: ['moderator'] });
  const lateClient = await TestClient.connect(server.wsUrl);
  lateClient.send({ type: 'join', stream });
  await lateClient.next('joined');
  lateClient.send({ type: 'auth', token: late.token });
  await lateClient.next('welcome');
  // A moderator who never joined but acted over HTTP.
  const acted = await devToken(server.url, 'hs_acted', { [stream]: ['moderator'] });
  assert.equal((await call('PATCH', `/api/streams/${stream}/modes`, acted.token, { slowSeconds: 0 })).status, 200);

  for (const target of [caster.id, silent.id, late.user.id, acted.user.id]) {
    for (const action of [{ action: 'ban', user: target }, { action: 'timeout', user: target, seconds: 1 }]) {
      const refused = await mod.client.request({ type: 'mod', stream, ...action });
      assert.equal(refused.code, 'forbidden', `${action.action} of ${target}: ${JSON.stringify(refused)}`);
      assert.match(refused.message, target === caster.id ? /the broadcaster/ : /another moderator/);
    }
  }
  const viaHttp = await refusal(await call('PUT', `/api/streams/${stream}/bans/${silent.id}`, mod.token, {}));
  assert.deepEqual([viaHttp.status, viaHttp.code], [403, 'forbidden'], viaHttp.message);
  // The broadcaster acts on them all.
  for (const target of [silent.id, late.user.id, acted.user.id]) {
    assert.equal((await caster.client.request({ type: 'mod', stream, action: 'timeout', user: target, seconds: 60 })).type, 'ack');
    assert.equal((await caster.client.request({ type: 'mod', stream, action: 'unban', user: target })).type, 'ack');
  }
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'ban', user: silent.id })).type, 'ack');
  for (const client of [caster.client, mod.client, silent.client, lateClient]) client.close();
});

test('HTTP: the same refusals on DELETE message, PUT/DELETE bans, PATCH modes, PUT rules and the role routes', async () => {
  const stream = 'hier-http';
  const caster = await member('hh_caster', stream, ['broadcaster']);
  const mod = await member('hh_mod', stream, ['moderator']);
  const other = await member('hh_other', stream, ['moderator']);
  const viewer = await member('hh_viewer', stream);
  const casterLine = await caster.client.request({ type: 'send', stream, text: 'from the broadcaster' });
  await other.client.request({ type: 'send', stream, text: 'from another moderator' });
  const base = `/api/streams/${stream}`;

  for (const [method, path, body] of [
    ['DELETE', `${base}/messages/${casterLine.id}`, undefined],
    ['PUT', `${base}/bans/${caster.id}`, {}],
    ['PUT', `${base}/bans/${other.id}`, { seconds: 1 }],
  ] as const) {
    const refused = await refusal(await call(method, path, mod.token, body));
    assert.deepEqual([refused.status, refused.code], [403, 'forbidden'], `${method} ${path}: ${refused.message}`);
  }
  assert.equal((await call('PUT', `${base}/bans/${caster.id}`, caster.token, {})).status, 400, 'nobody bans themselves');

  assert.equal((await call('PUT', `${base}/bans/${mod.id}`, caster.token, { seconds: 600 })).status, 204);
  for (const [method, path, body] of [
    ['DELETE', `${base}/bans/${mod.id}`, undefined],
    ['PUT', `${base}/bans/${viewer.id}`, {}],
    ['PATCH', `${base}/modes`, { slowSeconds: 3 }],
    ['PUT', `${base}/rules`, { blockedTerms: ['x'], blockLinks: false }],
    ['GET', `${base}/roles`, undefined],
  ] as const) {
    const refused = await refusal(await call(method, path, mod.token, body));
    assert.deepEqual([refused.status, refused.code], [403, 'forbidden'], `${method} ${path}: ${refused.message}`);
  }
  // Only the broadcaster grants or revokes roles.
  assert.equal((await call('PUT', `${base}/roles/${viewer.id}`, other.token, { roles: ['moderator'] })).status, 403);
  assert.equal((await call('DELETE', `${base}/bans/${mod.id}`, caster.token)).status, 204);
  assert.equal((await call('GET', `${base}/roles`, mod.token)).status, 200, 'powers are back once the timeout is lifted');
  for (const m of [caster, mod, other, viewer]) m.client.close();
});

test('a ban or timeout retracts only the target\'s lines of the last clearWindowMs, at most clearMaxLines of them', async () => {
  const stream = 'hier-clear';
  const caster = await member('hc_caster', stream, ['broadcaster']);
  const spammer = await member('hc_spammer', stream);
  const old = await spammer.client.request({ type: 'send', stream, text: 'old line' });
  assert.equal(old.type, 'ack');
  await sleep(CLEAR_WINDOW_MS + 200);
  const recent: string[] = [];
  for (let i = 0; i < CLEAR_MAX_LINES + 2; i++) recent.push((await spammer.client.request({ type: 'send', stream, text: `spam ${i}` })).id);
  assert.equal((await caster.client.request({ type: 'mod', stream, action: 'timeout', user: spammer.id, seconds: 1 })).type, 'ack');
  const history = (await (await call('GET', `/api/streams/${stream}/messages?limit=50`)).json()) as { messages: Array<{ id: string }> };
  // The newest clearMaxLines are gone; the two before them and the line older than the window stay.
  assert.deepEqual(history.messages.map((m) => m.id), [old.id, ...recent.slice(0, 2)]);
  caster.client.close();
  spammer.client.close();
});

test('a timed-out moderator no longer gets sampled-out lines in replay', async () => {
  // Hot-stream admission off: on a loaded machine it could refuse the viewer's lines `overloaded` instead of sampling them.
  const sampling = await startTestServer(['--sampling-threshold', '1', '--hot-stream-multiple', '0']);
  try {
    const stream = 'hier-replay';
    const caster = await member('hr_caster', stream, ['broadcaster'], sampling);
    const mod = await member('hr_mod', stream, ['moderator'], sampling);
    const viewer = await member('hr_viewer', stream, [], sampling);
    let sampledId: string | undefined;
    for (let i = 0; i < 15 && sampledId === undefined; i++) {
      const ack = await viewer.client.request({ type: 'send', stream, text: `line ${i}` });
      if (ack.sampled === true) sampledId = ack.id;
    }
    assert.ok(sampledId !== undefined, 'one of 15 lines in a row is sampled out at a threshold of 1 a second');
    const replayed = async (): Promise<string[]> => {
      const response = await apiCall(sampling.url, 'GET', `/api/streams/${stream}/messages?from=0`, mod.token);
      return ((await response.json()) as { messages: Array<{ id: string }> }).messages.map((m) => m.id);
    };
    assert.ok((await replayed()).includes(sampledId), 'a moderator replays sampled-out lines');
    assert.equal((await caster.client.request({ type: 'mod', stream, action: 'timeout', user: mod.id, seconds: 600 })).type, 'ack');
    assert.ok(!(await replayed()).includes(sampledId), 'not while timed out');
    for (const m of [caster, mod, viewer]) m.client.close();
  } finally {
    await sampling.stop();
    removeDir(sampling.dataDir);
  }
});
