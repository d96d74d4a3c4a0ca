// The stream picker (`/`, fed by GET /api/streams) lists a stream only while
// someone signed in watches it here (its broadcaster's own connection
// included): anonymous sockets cost nothing to open, so they must not be able
// to put a made-up name on the front page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';
import { tmiChatter, tmiClient } from '../support/irc-clients.ts';

let server: TestServer;
const cleanups: Array<() => unknown> = [];
before(async () => {
  server = await startTestServer();
});
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await server?.stop();
});

async function listed(): Promise<Array<{ stream: string; viewers: number }>> {
  const res = await fetch(`${server.url}/api/streams`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { streams: Array<{ stream: string; viewers: number }> }).streams;
}

async function anonymousWs(stream: string): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  cleanups.push(() => client.close());
  client.send({ type: 'join', stream });
  await client.next('joined');
  return client;
}

/** An anonymous SSE reader, open until the test ends. */
async function anonymousSse(stream: string): Promise<void> {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  const res = await fetch(`${server.url}/api/streams/${stream}/events`, { signal: controller.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  // The first event is the join's; from then on the reader counts as a viewer.
  await reader.read();
}

test('anonymous WebSocket, SSE and IRC viewers of a made-up stream do not list it', async () => {
  for (let i = 0; i < 5; i++) await anonymousWs('madeup');
  await anonymousSse('madeup');
  const irc = tmiClient(server.port);
  cleanups.push(() => irc.client.disconnect().catch(() => undefined));
  await irc.client.connect();
  await irc.client.join('#madeup');
  assert.deepEqual(await listed(), []);
});

test('a signed-in viewer lists the stream, with every viewer counted, until it leaves', async () => {
  for (let i = 0; i < 3; i++) await anonymousWs('watched');
  const viewer = await chatter(server, 'someviewer', {}, 'watched');
  assert.deepEqual((await listed()).filter((s) => s.stream === 'watched'), [{ stream: 'watched', viewers: 4 }]);
  viewer.send({ type: 'leave', stream: 'watched' });
  await viewer.next('left');
  assert.deepEqual((await listed()).filter((s) => s.stream === 'watched'), []);
  viewer.close();
});

test('the broadcaster\'s own IRC connection lists its stream', async () => {
  const broadcaster = await tmiChatter(server, 'ircstar', { ircstar: ['broadcaster'] });
  cleanups.push(() => broadcaster.client.disconnect().catch(() => undefined));
  await broadcaster.client.join('#ircstar');
  // tmi.js resolves join() on the JOIN echo, which the server sends once the hub has attached the session.
  assert.deepEqual((await listed()).filter((s) => s.stream === 'ircstar'), [{ stream: 'ircstar', viewers: 1 }]);
});

test('streams are ranked by signed-in viewers: anonymous sockets do not lift one above another', async () => {
  const a = await Promise.all([chatter(server, 'fan1', {}, 'twofans'), chatter(server, 'fan2', {}, 'twofans')]);
  const b = await chatter(server, 'loner', {}, 'padded');
  for (let i = 0; i < 6; i++) await anonymousWs('padded');
  const order = (await listed()).map((s) => s.stream).filter((s) => s === 'twofans' || s === 'padded');
  assert.deepEqual(order, ['twofans', 'padded']);
  for (const c of [...a, b]) c.close();
});
