import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TestClient } from '../support/ws-client.ts';
import { chatter, serverForFile, startTestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';

// Bad input gets a clear answer or a documented close, and everyone else keeps being served.

const server = await serverForFile([
  '--socket-soft-limit-bytes', '65536',
  '--socket-hard-limit-bytes', '262144',
  '--slow-consumer-grace-ms', '200',
  '--rate-limit-privileged-messages', '100000',
  '--rate-limit-user-messages', '100000',
  '--inbound-frames-per-second', '10000',
]);

/** A bystander that must keep working whatever the abuser does. */
async function assertStillServing(stream: string): Promise<void> {
  const c = await chatter(server, 'bystander', {}, stream);
  const ack = await c.request({ type: 'send', stream, text: 'still here' });
  assert.equal(ack.type, 'ack');
  c.close();
}

test('an oversize frame closes with 1009', async () => {
  const c = await TestClient.connect(server.wsUrl);
  c.send(JSON.stringify({ type: 'ping', nonce: 'x'.repeat(9000) }));
  assert.equal((await c.closed).code, 1009);
  await assertStillServing('a1');
});

test('invalid UTF-8 closes with 1007', async () => {
  const c = await TestClient.connect(server.wsUrl);
  // ws refuses to send invalid UTF-8 as text, so write the frame bytes ourselves through its socket.
  const payload = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  const mask = randomBytes(4);
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
  (c.ws as unknown as { _socket: NodeJS.WritableStream })._socket.write(frame);
  assert.equal((await c.closed).code, 1007);
});

test('1,000 joins on one connection: at most 20 are served, the rest refused, then 1008, and nothing is left behind', async () => {
  const c = await TestClient.connect(server.wsUrl);
  for (let i = 0; i < 1000; i++) c.send({ type: 'join', stream: `j${i}` });
  const closed = await c.closed;
  assert.equal(closed.code, 1008);
  assert.ok(c.frames.filter((f) => f.type === 'joined').length <= 20);
  const refusals = c.frames.filter((f) => f.type === 'error');
  assert.ok(refusals.length >= 30, `${refusals.length} refusals`);
  assert.ok(refusals.every((f) => f.code === 'invalid' || f.code === 'rate_limited'));
  for (const stream of ['j0', 'j19']) {
    const state = (await (await fetch(`${server.url}/api/streams/${stream}`)).json()) as { viewers: number };
    assert.equal(state.viewers, 0, `${stream} still counts the closed connection`);
  }
  await assertStillServing('a2');
});

test('a flood of sends is rate limited, then closed with 1008', async () => {
  const c = await chatter(server, 'flooder', {}, 'a3');
  for (let i = 0; i < 200; i++) c.send({ type: 'send', stream: 'a3', text: `spam ${i}`, nonce: i });
  assert.equal((await c.closed).code, 1008);
  const codes = new Set(c.frames.filter((f) => f.type === 'error').map((f) => f.code));
  assert.ok(codes.has('rate_limited'), [...codes].join());
  await assertStillServing('a3');
});

test('overloaded when more sends are in flight than the process allows', async () => {
  const small = await startTestServer(['--max-in-flight', '1']);
  after(async () => {
    await small.stop();
    removeDir(small.dataDir);
  });
  const c = await chatter(small, 'busy', { a4: ['broadcaster'] }, 'a4');
  const answers = await Promise.all([1, 2, 3].map((i) => c.request({ type: 'send', stream: 'a4', text: `x${i}` })));
  assert.ok(answers.some((a) => a.type === 'ack'));
  assert.ok(answers.some((a) => a.code === 'overloaded' && a.retryAfterMs > 0), JSON.stringify(answers));
  c.close();
});

test('a client that never reads is disconnected with 4008 and counted; others keep getting chat', async () => {
  const sender = await chatter(server, 'caster', { a5: ['broadcaster'] }, 'a5');

  // A raw socket that upgrades, joins, and then never reads another byte.
  const stuck = connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
  const key = randomBytes(16).toString('base64');
  let received = Buffer.alloc(0);
  let onData = (): void => {};
  stuck.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    onData();
  });
  stuck.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve) => (onData = () => received.includes('\r\n\r\n') && resolve()));
  const join = Buffer.from(JSON.stringify({ type: 'join', stream: 'a5' }));
  const mask = randomBytes(4);
  stuck.write(Buffer.concat([Buffer.from([0x81, 0x80 | join.length]), mask, join.map((b, i) => b ^ mask[i % 4]!)]));
  stuck.pause();
  stuck.on('error', () => {});

  const reader = await TestClient.connect(server.wsUrl);
  reader.send({ type: 'join', stream: 'a5' });
  await reader.next('joined');

  const text = 'z'.repeat(450);
  const deadline = Date.now() + 20_000;
  let dropped = false;
  // Sends go 50 at a time: the kernel's socket buffers take megabytes before
  // the server's queue grows at all, and one send per round trip is too slow
  // to get there in time on a busy machine.
  for (let round = 0; !dropped && Date.now() < deadline && round < 1_000; round++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => sender.request({ type: 'send', stream: 'a5', text: `${round}.${i} ${text}` })));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    dropped = /chorus_slow_consumer_drops_total [1-9]/.test(metrics);
  }
  assert.ok(dropped, 'the stuck client was never dropped');
  assert.ok(reader.liveMessages('a5').length > 0);
  await assertStillServing('a5');
  const closeCode = await new Promise<number | undefined>((resolve) => {
    stuck.resume();
    onData = () => {
      const code = findCloseFrame(received);
      if (code !== undefined) resolve(code);
    };
    stuck.on('close', () => resolve(findCloseFrame(received)));
  });
  assert.equal(closeCode, 4008);
  stuck.destroy();
  sender.close();
  reader.close();
});

/** Scans server-to-client frames (after the HTTP response) for a close frame and returns its code. */
function findCloseFrame(data: Buffer): number | undefined {
  let offset = data.indexOf('\r\n\r\n') + 4;
  while (offset + 2 <= data.length) {
    const opcode = data[offset]! & 0x0f;
    let length = data[offset + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (offset + 4 > data.length) return undefined;
      length = data.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (offset + 10 > data.length) return undefined;
      length = Number(data.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (offset + header + length > data.length) return undefined;
    if (opcode === 0x8) return data.readUInt16BE(offset + header);
    offset += header + length;
  }
  return undefined;
}

test('a connection that stops answering pings is dropped by the heartbeat', async () => {
  const quick = await startTestServer(['--heartbeat-ms', '1000']);
  after(async () => {
    await quick.stop();
    removeDir(quick.dataDir);
  });
  const silent = await TestClient.connect(quick.wsUrl, { autoPong: false });
  const polite = await TestClient.connect(quick.wsUrl);
  const started = Date.now();
  const closed = await silent.closed;
  assert.equal(closed.code, 1006, 'terminated without a close frame');
  assert.ok(Date.now() - started < 5_000);
  polite.send({ type: 'ping', nonce: 'still' });
  assert.equal((await polite.next('pong')).nonce, 'still');
  polite.close();
});

test('a stream over its rate ceiling sheds with overloaded while other streams carry on', async () => {
  const capped = await startTestServer(['--max-stream-rate', '5', '--rate-limit-privileged-messages', '1000', '--rate-limit-user-messages', '1000', '--inbound-frames-per-second', '1000']);
  after(async () => {
    await capped.stop();
    removeDir(capped.dataDir);
  });
  const c = await chatter(capped, 'hot', { hot: ['broadcaster'] }, 'hot');
  const answers = [];
  for (let i = 0; i < 10; i++) answers.push(await c.request({ type: 'send', stream: 'hot', text: `h${i}` }));
  assert.equal(answers.filter((a) => a.type === 'ack').length, 5);
  assert.ok(answers.slice(5).every((a) => a.code === 'overloaded' && a.retryAfterMs > 0));
  const cold = await chatter(capped, 'cold', {}, 'cold');
  assert.equal((await cold.request({ type: 'send', stream: 'cold', text: 'fine' })).type, 'ack');
  c.close();
  cold.close();
});

test('past maxConnections, upgrades are refused with 503 and existing connections are untouched', async () => {
  const tiny = await startTestServer(['--max-connections', '2']);
  after(async () => {
    await tiny.stop();
    removeDir(tiny.dataDir);
  });
  const a = await TestClient.connect(tiny.wsUrl);
  const b = await TestClient.connect(tiny.wsUrl);
  await assert.rejects(TestClient.connect(tiny.wsUrl), /Unexpected server response: 503/);
  a.close();
  await a.closed;
  // The server frees the slot when its side of the socket closes, a moment after ours.
  let c: TestClient | undefined;
  for (let i = 0; i < 50 && c === undefined; i++) {
    c = await TestClient.connect(tiny.wsUrl).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 20)));
  }
  assert.ok(c !== undefined, 'the freed slot was never reusable');
  b.send({ type: 'ping', nonce: 'b' });
  assert.equal((await b.next('pong')).nonce, 'b');
  b.close();
  c.close();
});
