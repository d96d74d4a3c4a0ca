// Names a user picks (streams, roles keys, IRC commands) that are also the
// names of Object.prototype's members must behave like any other name, over
// HTTP, the v1 WebSocket and IRC, for tokens with and without a `roles` claim.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';
import { signedToken } from '../support/tokens.ts';
import { encodeIrcToken } from '../../src/auth/irc-token.ts';
import { tmiClient } from '../support/irc-clients.ts';

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

let server: TestServer;
const cleanups: Array<() => unknown> = [];
before(async () => {
  server = await startTestServer(['--rate-limit-messages', '1000']);
});
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await server?.stop();
});

/** A token as an identity provider issues it (its own user ids), and its IRC form. */
async function providerToken(name: string, roles?: Record<string, string[]>): Promise<{ token: string; ircToken: string }> {
  const token = await signedToken(name, { sub: `idp-${name}`, roles });
  return { token, ircToken: encodeIrcToken(token) };
}
/** Without per-stream roles: no `roles` claim at all. */
const noRolesToken = (name: string) => providerToken(name);

test('HTTP: streams named after Object.prototype members work for a token without roles', async () => {
  const { token } = await noRolesToken('plainhttp');
  for (const stream of PROTOTYPE_NAMES) {
    const posted = await apiCall(server.url, 'POST', `/api/streams/${stream}/messages`, token, { text: `hello ${stream}` });
    assert.equal(posted.status, 201, `${stream}: ${await posted.text()}`);
    const polled = await apiCall(server.url, 'GET', `/api/streams/${stream}/messages?after=0`, token);
    assert.equal(polled.status, 200, stream);
    const { messages } = (await polled.json()) as { messages: Array<{ text: string; user: { badges: string[] } }> };
    assert.deepEqual(messages.map((m) => [m.text, m.user.badges]), [[`hello ${stream}`, []]], stream);
    assert.equal((await apiCall(server.url, 'GET', `/api/streams/${stream}/messages?from=0`, token)).status, 200, stream);
    assert.equal((await apiCall(server.url, 'GET', `/api/streams/${stream}`, token)).status, 200, stream);
    assert.equal((await apiCall(server.url, 'GET', `/api/streams/${stream}/analytics`)).status, 200, stream);
    // Not a moderator there: a refusal, never a 500.
    assert.equal((await apiCall(server.url, 'PUT', `/api/streams/${stream}/bans/someone`, token, {})).status, 403, stream);
    assert.equal((await apiCall(server.url, 'GET', `/api/streams/${stream}/roles`, token)).status, 403, stream);
  }
});

test('WebSocket: join, send and mod in those streams with a token without roles', async () => {
  const { token } = await noRolesToken('plainws');
  const client = await TestClient.connect(server.wsUrl);
  cleanups.push(() => client.close());
  client.send({ type: 'auth', token });
  const welcome = await client.next('welcome');
  assert.deepEqual(welcome.roles, {});
  for (const stream of PROTOTYPE_NAMES) {
    client.send({ type: 'join', stream });
    const joined = await client.next('joined', (f) => f.stream === stream);
    assert.ok(joined.state !== undefined, stream);
    const sent = await client.request({ type: 'send', stream, text: `ws ${stream}` });
    assert.equal(sent.type, 'ack', `${stream}: ${JSON.stringify(sent)}`);
    const modded = await client.request({ type: 'mod', stream, action: 'ban', user: 'someone' });
    assert.equal(modded.code, 'forbidden', stream);
  }
});

test('a roles claim with __proto__ and constructor keys gives roles in exactly those streams', async () => {
  const roles = JSON.parse('{"__proto__": ["broadcaster"], "constructor": ["moderator"]}') as Record<string, string[]>;
  const { token } = await providerToken('protoowner', roles);
  const modes = (stream: string) => apiCall(server.url, 'PATCH', `/api/streams/${stream}/modes`, token, { slowSeconds: 0 });
  assert.equal((await modes('__proto__')).status, 200);
  assert.equal((await modes('constructor')).status, 200);
  assert.equal((await modes('toString')).status, 403);
  assert.equal((await modes('elsewhere')).status, 403);

  // Only the broadcaster grants roles; granted roles merge with the claim's, in their own stream only.
  assert.equal((await apiCall(server.url, 'PUT', '/api/streams/__proto__/roles/idp-helper', token, { roles: ['moderator'] })).status, 204);
  assert.equal((await apiCall(server.url, 'PUT', '/api/streams/constructor/roles/idp-helper', token, { roles: ['moderator'] })).status, 403);
  const { token: helper } = await providerToken('helper');
  assert.equal((await apiCall(server.url, 'PATCH', '/api/streams/__proto__/modes', helper, { slowSeconds: 0 })).status, 200);
  assert.equal((await apiCall(server.url, 'PATCH', '/api/streams/constructor/modes', helper, { slowSeconds: 0 })).status, 403);

  const client = await TestClient.connect(server.wsUrl);
  cleanups.push(() => client.close());
  client.send({ type: 'auth', token });
  const welcome = await client.next('welcome');
  assert.ok(Object.hasOwn(welcome.roles, '__proto__'), JSON.stringify(welcome.roles));
  assert.deepEqual(welcome.roles.__proto__, ['broadcaster']);
  for (const [stream, badges] of [['__proto__', ['broadcaster']], ['constructor', ['moderator']], ['toString', []]] as const) {
    client.send({ type: 'join', stream });
    await client.next('joined', (f) => f.stream === stream);
    assert.equal((await client.request({ type: 'send', stream, text: 'mine' })).type, 'ack', stream);
    const line = await client.next('msg', (f) => f.stream === stream);
    assert.deepEqual(line.user.badges, badges, stream);
  }
});

test('IRC: a token without roles chats in #constructor and #__proto__; /constructor is no command (IRC commands are letters only)', async () => {
  const { ircToken } = await noRolesToken('plainirc');
  const talker = tmiClient(server.port, { username: 'plainirc', password: `oauth:${ircToken}` });
  const watcher = tmiClient(server.port);
  cleanups.push(() => talker.client.disconnect().catch(() => undefined), () => watcher.client.disconnect().catch(() => undefined));
  await Promise.all([talker.client.connect(), watcher.client.connect()]);
  for (const stream of ['constructor', '__proto__']) {
    await watcher.client.join(`#${stream}`);
    await talker.client.join(`#${stream}`);
    await talker.client.say(`#${stream}`, `irc ${stream}`);
    const [channel, , text] = await watcher.events.next('message', (ch: string) => ch === `#${stream}`);
    assert.deepEqual([channel, text], [`#${stream}`, `irc ${stream}`]);
  }

  const roles = JSON.parse('{"__proto__": ["broadcaster"]}') as Record<string, string[]>;
  const owner = await providerToken('ircowner', roles);
  const mod = tmiClient(server.port, { username: 'ircowner', password: `oauth:${owner.ircToken}` });
  cleanups.push(() => mod.client.disconnect().catch(() => undefined));
  await mod.client.connect();
  await mod.client.join('#__proto__');
  for (const command of ['/constructor', '/tostring']) {
    await mod.client.say('#__proto__', command);
    const [, msgId] = await mod.events.next('notice', (ch: string) => ch === '#__proto__');
    assert.equal(msgId, 'unrecognized_cmd', command);
  }
});
