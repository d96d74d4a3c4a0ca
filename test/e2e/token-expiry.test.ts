import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';
import { RawIrc } from '../support/raw-irc.ts';
import { tokenExpiringIn } from '../support/tokens.ts';
import { encodeIrcToken } from '../../src/auth/irc-token.ts';

// A token's `exp` holds for the whole connection, not only at sign-in: the
// client renews it with `auth` (v1) or `PASS` (IRC) before it runs out, or
// the server closes the connection when it does.

const server = await serverForFile();

async function signedIn(token: string): Promise<{ client: TestClient; welcome: Record<string, any> }> {
  const client = await TestClient.connect(server.wsUrl);
  client.send({ type: 'auth', token });
  return { client, welcome: await client.next('welcome') };
}

test('v1: at expiry the connection is closed with 4001; welcome says how long the token has left', { timeout: 20_000 }, async () => {
  const { client, welcome } = await signedIn(await tokenExpiringIn('fleeting', 2));
  assert.ok(welcome.expiresInMs > 0 && welcome.expiresInMs <= 3_000, `expiresInMs ${welcome.expiresInMs}`);
  const closed = await client.closed;
  assert.deepEqual(closed, { code: 4001, reason: 'token expired' });
});

test('v1: an auth with a fresh token of the same user before expiry keeps the connection open', { timeout: 20_000 }, async () => {
  const { client } = await signedIn(await tokenExpiringIn('renewer', 2));
  client.send({ type: 'join', stream: 'te1' });
  await client.next('joined');
  client.send({ type: 'auth', token: await tokenExpiringIn('renewer', 60), nonce: 'r1' });
  const renewed = await client.next('welcome');
  assert.equal(renewed.user.name, 'renewer');
  assert.ok(renewed.expiresInMs > 50_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const ack = await client.request({ type: 'send', stream: 'te1', text: 'still signed in' });
  assert.equal(ack.type, 'ack');
  client.close();
});

test("v1: another user's token or a bad one does not renew; the connection still closes at the first token's expiry", { timeout: 20_000 }, async () => {
  const { client } = await signedIn(await tokenExpiringIn('holder', 2));
  const other = await client.request({ type: 'auth', token: await tokenExpiringIn('intruder', 60) });
  assert.equal(other.code, 'forbidden');
  const bad = await client.request({ type: 'auth', token: 'not.a.token' });
  assert.equal(bad.code, 'unauthorized');
  assert.equal((await client.closed).code, 4001);
});

async function ircSignedIn(name: string, seconds: number): Promise<RawIrc> {
  const irc = new RawIrc(server.server.ircPort!);
  irc.send('CAP REQ :twitch.tv/tags', `PASS oauth:${encodeIrcToken(await tokenExpiringIn(name, seconds))}`, `NICK ${name}`);
  await irc.line(/ 376 /);
  return irc;
}

test('IRC: at expiry a NOTICE token_expired, then ERROR, then the connection closes', { timeout: 20_000 }, async () => {
  const irc = await ircSignedIn('ircfleeting', 2);
  assert.equal(await irc.line(/NOTICE/, 5_000), '@msg-id=token_expired :tmi.twitch.tv NOTICE * :Your login token has expired; reconnect with a new one.');
  assert.equal(await irc.line(/ERROR/), 'ERROR :Closing Link: token expired');
  await irc.closed;
});

test('IRC: PASS with a fresh token of the same user renews; a bad one is refused and changes nothing', { timeout: 20_000 }, async () => {
  const irc = await ircSignedIn('ircrenewer', 2);
  irc.send(`PASS oauth:${encodeIrcToken(await tokenExpiringIn('ircsomeoneelse', 60))}`);
  assert.match(await irc.line(/NOTICE/), /^@msg-id=token_refused :tmi.twitch.tv NOTICE \* :/);
  irc.send(`PASS oauth:${encodeIrcToken(await tokenExpiringIn('ircrenewer', 60))}`);
  assert.equal(await irc.line(/NOTICE/), '@msg-id=token_refreshed :tmi.twitch.tv NOTICE * :Your login token was renewed.');
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  irc.send('PING still');
  assert.equal(await irc.line(/PONG/), ':tmi.twitch.tv PONG tmi.twitch.tv :still');
  assert.equal(irc.lines.some((l) => l.startsWith('ERROR')), false);
  irc.socket.destroy();
});
