// Sockets the server refuses or does not upgrade are answered and then
// closed, never left open: each test ends with a shutdown that must finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/servers.ts';
import { RawSocket, within } from '../support/raw-socket.ts';
import { removeDir } from '../support/temp-dir.ts';
import WebSocket from 'ws';
import { TestClient } from '../support/ws-client.ts';

const SHUTDOWN_MS = 15_000;

// What the JDK's HttpClient sends on every plain-http request by default (and `curl --http2`).
const H2C = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';

test('a request with a non-WebSocket Upgrade header is answered as if it had none, with or without a body, and shutdown completes', async () => {
  const server = await startTestServer();
  const sockets: RawSocket[] = [];
  try {
    const get = await RawSocket.connect(server.port);
    sockets.push(get);
    get.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`);
    assert.equal((await get.response()).status, 200);

    const body = JSON.stringify({ name: 'jdk', roles: {} });
    const post = await RawSocket.connect(server.port);
    sockets.push(post);
    post.write(`POST /api/dev/token HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const answer = await post.response();
    assert.equal(answer.status, 200, answer.body);
    assert.equal(typeof (JSON.parse(answer.body) as { token: unknown }).token, 'string');

    // The same socket serves the next request (keep-alive), Upgrade header or not.
    post.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C}\r\n`);
    post.received = '';
    assert.equal((await post.response()).status, 200);

    // A WebSocket upgrade to a path that has none is refused, and the socket closed even with bytes after the request.
    const nowhere = await RawSocket.connect(server.port);
    sockets.push(nowhere);
    nowhere.write('GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\nextra bytes');
    assert.equal((await nowhere.response()).status, 404);
    await within(nowhere.ended, 5_000, 'the refused upgrade socket closing');
    // A request target that is not a valid URL path (WHATWG URL throws on it) is a 404 too, not a crash.
    const odd = await RawSocket.connect(server.port);
    sockets.push(odd);
    odd.write('GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    assert.equal((await odd.response()).status, 404);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    for (const socket of sockets) socket.socket.end();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
  } finally {
    for (const socket of sockets) socket.destroy();
    removeDir(server.dataDir);
  }
});

test('an IRC TCP connection refused because the server is full is closed even after it sent a line, and shutdown completes', async () => {
  const server = await startTestServer(['--max-connections', '1']);
  const sockets: RawSocket[] = [];
  try {
    const holder = await TestClient.connect(server.wsUrl);
    const refused = await RawSocket.connect(server.server.ircPort!);
    sockets.push(refused);
    refused.write('NICK justinfan123\r\n');
    await refused.waitFor(/^ERROR :Closing Link: server full\r\n/);
    await within(refused.closed, 10_000, 'the refused IRC socket closing');
    holder.close();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
  } finally {
    for (const socket of sockets) socket.destroy();
    removeDir(server.dataDir);
  }
});

/** An SSE reader over a raw socket (from `localAddress`, with extra headers): resolves once the status line is in. */
async function sseReader(port: number, headers = '', localAddress?: string): Promise<{ socket: RawSocket; status: number }> {
  const socket = await RawSocket.connect(port, '127.0.0.1', localAddress);
  socket.write(`GET /api/streams/limits/events HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
  const status = Number((await socket.waitFor(/^HTTP\/1\.1 (\d{3})/))[1]);
  return { socket, status };
}

/** Waits until connecting succeeds again (the server frees a slot when its side of a closed socket closes, a moment after ours). */
async function connectEventually(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
  for (let i = 0; i < 100; i++) {
    const client = await TestClient.connect(url, options).catch(() => undefined);
    if (client !== undefined) return client;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} kept refusing`);
}

test('per-address cap: WebSocket, IRC and SSE from one address share it; another address is not affected; a freed slot is reusable', async () => {
  const server = await startTestServer(['--max-connections-per-ip', '3']);
  const sockets: RawSocket[] = [];
  try {
    const ws = await TestClient.connect(server.wsUrl);
    const irc = await RawSocket.connect(server.server.ircPort!);
    sockets.push(irc);
    const sse = await sseReader(server.port);
    sockets.push(sse.socket);
    assert.equal(sse.status, 200);

    await assert.rejects(TestClient.connect(server.wsUrl), /Unexpected server response: 429/);
    await assert.rejects(TestClient.connect(`ws://127.0.0.1:${server.port}/`, { protocol: 'irc' } as never), /Unexpected server response: 429/);
    const refusedIrc = await RawSocket.connect(server.server.ircPort!);
    sockets.push(refusedIrc);
    await refusedIrc.waitFor(/^ERROR :Closing Link: too many connections from your address\r\n/);
    const refusedSse = await sseReader(server.port);
    sockets.push(refusedSse.socket);
    assert.equal(refusedSse.status, 429);
    assert.match((await refusedSse.socket.response()).body, /"code":"rate_limited"/);

    // Another address (the load generator's 127.0.0.2, 127.0.0.3, ...) has its own share.
    const other = await TestClient.connect(server.wsUrl, { localAddress: '127.0.0.2' });
    other.close();

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metrics.includes('chorus_connections_refused_total{reason="address"} 4\n'), 'four refusals counted');

    ws.close();
    const again = await connectEventually(server.wsUrl);
    again.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});

test('SSE readers count in maxConnections beside WebSocket and IRC', async () => {
  const server = await startTestServer(['--max-connections', '1']);
  const sockets: RawSocket[] = [];
  try {
    const sse = await sseReader(server.port);
    sockets.push(sse.socket);
    assert.equal(sse.status, 200);
    await assert.rejects(TestClient.connect(server.wsUrl), /Unexpected server response: 503/);
    sse.socket.destroy();
    const ws = await connectEventually(server.wsUrl);
    const refused = await sseReader(server.port);
    sockets.push(refused.socket);
    assert.equal(refused.status, 503);
    assert.match((await refused.socket.response()).body, /"code":"overloaded"/);
    ws.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});

test('per-user cap: a further sign-in of the same user is refused on WebSocket (the socket stays, anonymous) and on IRC (NOTICE, close)', async () => {
  const server = await startTestServer(['--max-connections-per-user', '2']);
  const sockets: RawSocket[] = [];
  try {
    const { token, ircToken } = await (await fetch(`${server.url}/api/dev/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'many_tabs', roles: {} }),
    })).json() as { token: string; ircToken: string };
    const signIn = async (): Promise<TestClient> => {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: 'auth', token });
      return client;
    };
    const first = await signIn();
    assert.equal((await first.next('welcome')).user.name, 'many_tabs');
    const second = await signIn();
    assert.equal((await second.next('welcome')).user.name, 'many_tabs');
    // Signing in again on a connection already signed in as that user does not count twice.
    second.send({ type: 'auth', token });
    assert.equal((await second.next('welcome')).user.name, 'many_tabs');

    const third = await signIn();
    const refusal = await third.next('error');
    assert.equal(refusal.code, 'forbidden');
    assert.match(refusal.message, /too many connections/);
    third.send({ type: 'join', stream: 'tabs' });
    await third.next('joined');

    const irc = await RawSocket.connect(server.server.ircPort!);
    sockets.push(irc);
    irc.write(`PASS oauth:${ircToken}\r\nNICK many_tabs\r\n`);
    await irc.waitFor(/NOTICE \* :Too many connections for this user\r\n/);
    await within(irc.closed, 10_000, 'the refused IRC login closing');

    first.close();
    await first.closed;
    for (let i = 0; i < 100; i++) {
      third.send({ type: 'auth', token });
      const answer = await third.nextMatching((f) => f.type === 'welcome' || f.type === 'error');
      if (answer.type === 'welcome') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(third.frames.filter((f) => f.type === 'welcome').at(-1)!.user?.name, 'many_tabs');
    second.close();
    third.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});

test('anonymous connections that hold nothing close after anonymousIdleMs: 4002 on WebSocket, ERROR on IRC; joined or signed-in ones stay', async () => {
  const server = await startTestServer(['--anonymous-idle-ms', '1000']);
  const sockets: RawSocket[] = [];
  try {
    const idle = await TestClient.connect(server.wsUrl);
    const watching = await TestClient.connect(server.wsUrl);
    watching.send({ type: 'join', stream: 'idle' });
    await watching.next('joined');
    const { token } = await (await fetch(`${server.url}/api/dev/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'signed_in', roles: {} }),
    })).json() as { token: string };
    const signedIn = await TestClient.connect(server.wsUrl);
    signedIn.send({ type: 'auth', token });
    await signedIn.next('welcome');
    const unregistered = await RawSocket.connect(server.server.ircPort!);
    sockets.push(unregistered);
    const lurker = await RawSocket.connect(server.server.ircPort!);
    sockets.push(lurker);
    lurker.write('NICK justinfan4242\r\n');
    await lurker.waitFor(/ 001 /);

    assert.deepEqual(await within(idle.closed, 5_000, 'the idle close'), { code: 4002, reason: 'idle: not signed in and watching no stream' });
    // A heartbeat PING may come first.
    await unregistered.waitFor(/^ERROR :Closing Link: idle/m);
    await within(unregistered.closed, 10_000, 'the unregistered IRC socket closing');
    await lurker.waitFor(/ERROR :Closing Link: idle/);

    // Leaving the last stream starts the clock again.
    watching.send({ type: 'leave', stream: 'idle' });
    await watching.next('left');
    assert.equal((await within(watching.closed, 5_000, 'the idle close after leaving')).code, 4002);
    signedIn.send({ type: 'ping', nonce: 'still' });
    assert.equal((await signedIn.next('pong')).nonce, 'still');
    signedIn.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});

test('Origin allowlist: WebSocket upgrades (v1 and IRC) from other origins get 403; listed origins and clients without Origin are let in', async () => {
  const server = await startTestServer(['--allowed-origins', 'https://chat.example, http://localhost:8080/']);
  try {
    (await TestClient.connect(server.wsUrl, { origin: 'https://chat.example' })).close();
    (await TestClient.connect(server.wsUrl, { origin: 'http://LOCALHOST:8080' })).close();
    (await TestClient.connect(server.wsUrl)).close();
    await assert.rejects(TestClient.connect(server.wsUrl, { origin: 'https://evil.example' }), /Unexpected server response: 403/);
    await assert.rejects(TestClient.connect(`ws://127.0.0.1:${server.port}/`, { origin: 'https://evil.example', protocol: 'irc' } as never), /Unexpected server response: 403/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.ok(metrics.includes('chorus_connections_refused_total{reason="origin"} 2\n'), 'two refusals counted');
  } finally {
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});

test('behind a trusted proxy the client address comes from X-Forwarded-For; from anyone else the header is ignored', async () => {
  const trusting = await startTestServer(['--trusted-proxies', '127.0.0.1', '--max-connections-per-ip', '1']);
  const ignoring = await startTestServer(['--max-connections-per-ip', '1']);
  const sockets: RawSocket[] = [];
  try {
    const from = (ip: string): { headers: Record<string, string> } => ({ headers: { 'x-forwarded-for': `198.51.100.9, ${ip}` } });
    const a = await TestClient.connect(trusting.wsUrl, from('203.0.113.5'));
    await assert.rejects(TestClient.connect(trusting.wsUrl, from('203.0.113.5')), /Unexpected server response: 429/);
    const b = await TestClient.connect(trusting.wsUrl, from('203.0.113.6'));
    // SSE reads request.ip, which follows the same rule.
    const sse = await sseReader(trusting.port, 'X-Forwarded-For: 203.0.113.7\r\n');
    sockets.push(sse.socket);
    assert.equal(sse.status, 200);
    const refusedSse = await sseReader(trusting.port, 'X-Forwarded-For: 203.0.113.7\r\n');
    sockets.push(refusedSse.socket);
    assert.equal(refusedSse.status, 429);

    // A proxy that is not configured (here: the client itself) cannot pick its address.
    const c = await TestClient.connect(ignoring.wsUrl, from('203.0.113.5'));
    await assert.rejects(TestClient.connect(ignoring.wsUrl, from('203.0.113.6')), /Unexpected server response: 429/);
    for (const client of [a, b, c]) client.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    await within(trusting.stop(), SHUTDOWN_MS, 'shutdown');
    await within(ignoring.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(trusting.dataDir);
    removeDir(ignoring.dataDir);
  }
});

test('a request body trickled slower than httpRequestTimeoutMs is cut off (408) and its socket closed; SSE readers and WebSockets are not', async () => {
  const server = await startTestServer(['--http-request-timeout-ms', '1000']);
  const sse = await sseReader(server.port);
  const ws = await TestClient.connect(server.wsUrl);
  ws.send({ type: 'join', stream: 'limits' });
  await ws.next('joined');
  const trickle = await RawSocket.connect(server.port);
  let writes = 0;
  // Bounded: at most 40 bytes, one each 250 ms, far more time than the timeout and its check interval.
  const timer = setInterval(() => {
    if (trickle.socket.writable && writes++ < 40) trickle.write('x');
  }, 250);
  try {
    trickle.write('POST /api/dev/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    await within(trickle.closed, 8_000, 'the trickled request being cut off');
    assert.match(trickle.received, /^HTTP\/1\.1 408/);
    // Both have been open longer than the timeout: their requests arrived long ago.
    assert.equal(sse.socket.socket.destroyed, false);
    ws.send({ type: 'ping', nonce: 'alive' });
    assert.equal((await ws.next('pong')).nonce, 'alive');
    ws.close();
  } finally {
    clearInterval(timer);
    trickle.destroy();
    sse.socket.destroy();
    await within(server.stop(), SHUTDOWN_MS, 'shutdown');
    removeDir(server.dataDir);
  }
});
