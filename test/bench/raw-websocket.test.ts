// The load generator's own WebSocket client against a real `ws` server:
// every frame length encoding, messages split across reads, fragments, pings,
// closes from either side, and a refused upgrade.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { RawWebSocket } from '../../bench/loadgen/raw-websocket.ts';

const readBuffer = Buffer.allocUnsafe(64 * 1024);
const servers: Array<{ close(): void }> = [];
after(() => {
  for (const server of servers) server.close();
});

interface Client {
  ws: RawWebSocket;
  messages: string[];
  errors: string[];
  opened: Promise<void>;
  closed: Promise<number>;
}

function client(url: string): Client {
  const messages: string[] = [];
  const errors: string[] = [];
  let opened!: () => void;
  let closed!: (code: number) => void;
  const c = {
    messages,
    errors,
    opened: new Promise<void>((resolve) => (opened = resolve)),
    closed: new Promise<number>((resolve) => (closed = resolve)),
  };
  const ws = new RawWebSocket(url, { localAddress: '127.0.0.1', localPort: 0, readBuffer }, {
    open: () => opened(),
    // Copied to a string at once: the buffer is shared with every other read.
    message: (data) => messages.push(data.toString('utf8')),
    close: (code) => closed(code),
    error: (err) => errors.push(err.message),
  });
  return { ws, ...c };
}

async function wsServer(): Promise<{ url: string; connection: Promise<WebSocket> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws?x=1`, connection: once(server, 'connection').then(([ws]) => ws as WebSocket) };
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('messages of every length encoding both ways, fragments and pings', async () => {
  const { url, connection } = await wsServer();
  const c = client(url);
  await c.opened;
  const server = await connection;
  const received: string[] = [];
  server.on('message', (data) => received.push(String(data)));
  let pongs = 0;
  server.on('pong', () => pongs++);

  const long = 'x'.repeat(70_000); // 64-bit length
  const medium = 'm'.repeat(300); // 16-bit length
  for (const text of ['short', medium, long]) server.send(text);
  server.send('frag', { fin: false });
  server.send('ment', { fin: true });
  server.ping('are you there');
  await until(() => c.messages.length === 4 && pongs === 1, 'the messages and the pong');
  assert.deepEqual(c.messages, ['short', medium, long, 'fragment']);

  // Masked by the client, unmasked by the server: the same text.
  for (const text of ['hello', medium, long]) c.ws.send(text);
  await until(() => received.length === 3, 'the client messages');
  assert.deepEqual(received, ['hello', medium, long]);
  assert.deepEqual(c.errors, []);
  c.ws.terminate();
});

test('a frame split over several reads is put back together', async () => {
  const { url, connection } = await wsServer();
  const c = client(url);
  await c.opened;
  const server = await connection;
  const socket = (server as unknown as { _socket: Socket })._socket;
  socket.setNoDelay(true);
  const text = 'split '.repeat(50);
  const payload = Buffer.from(text);
  const frame = Buffer.concat([Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]), payload, Buffer.from([0x81, 2]), Buffer.from('ok')]);
  // Cut inside the length field, inside the payload, and between two frames.
  for (const [from, to] of [[0, 3], [3, 100], [100, frame.length - 3], [frame.length - 3, frame.length]] as const) {
    socket.write(frame.subarray(from, to));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await until(() => c.messages.length === 2, 'both messages');
  assert.deepEqual(c.messages, [text, 'ok']);
  c.ws.terminate();
});

test('a close from the server gives its code; a close from the client is answered', async () => {
  const first = await wsServer();
  const a = client(first.url);
  await a.opened;
  (await first.connection).close(4008, 'slow consumer');
  assert.equal(await a.closed, 4008);
  assert.equal(a.ws.open, false);

  const second = await wsServer();
  const b = client(second.url);
  await b.opened;
  const server = await second.connection;
  const serverSaw = once(server, 'close');
  b.ws.close(1000);
  assert.equal(await b.closed, 1000);
  assert.equal((await serverSaw)[0], 1000);
});

test('a refused upgrade is an error naming the status, then a close without a frame', async () => {
  const server: Server = createServer((_req, res) => res.writeHead(503).end('busy'));
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const c = client(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`);
  assert.equal(await c.closed, 1006);
  assert.deepEqual(c.errors, ['Unexpected server response: 503']);
});
