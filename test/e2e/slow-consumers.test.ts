import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { chatter, serverForFile } from '../support/servers.ts';
import { within } from '../support/raw-socket.ts';
import type { TestClient } from '../support/ws-client.ts';

// One slow-consumer rule for every transport (src/session/): a reader more
// than socketSoftLimitBytes behind for slowConsumerGraceMs is cut, whatever
// it reads over. The hard limit here is far above anything the test sends,
// so only the soft limit and its grace period can cut these readers.
// (The v1 WebSocket's 4008 is test/e2e/abuse.test.ts.)

const server = await serverForFile([
  '--socket-soft-limit-bytes', '65536',
  '--socket-hard-limit-bytes', String(512 * 1024 * 1024),
  '--slow-consumer-grace-ms', '200',
  '--rate-limit-privileged-messages', '100000',
  '--rate-limit-user-messages', '100000',
  '--inbound-frames-per-second', '10000',
]);

/** A raw socket that sends `request`, waits for `ready` in what comes back, then never reads again. */
async function stuckReader(port: number, request: string, ready: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let received = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes(ready)) resolve();
    });
    socket.write(request);
  });
  socket.removeAllListeners('data');
  socket.pause();
  return { socket, closed };
}

const drops = async (): Promise<number> => {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/chorus_slow_consumer_drops_total (\d+)/.exec(metrics)?.[1] ?? 0);
};

/**
 * Sends 200 lines at a time until `done` or 40 s: loopback's kernel buffers
 * take about 6 MB of a reader that stopped before the server's own queue
 * grows at all.
 */
async function floodUntil(sender: TestClient, stream: string, done: () => Promise<boolean>): Promise<boolean> {
  const text = 'z'.repeat(450);
  const deadline = Date.now() + 40_000;
  for (let round = 0; Date.now() < deadline && round < 1_000; round++) {
    await Promise.all(Array.from({ length: 200 }, (_, i) => sender.request({ type: 'send', stream, text: `${round}.${i} ${text}` })));
    if (await done()) return true;
  }
  return false;
}

test('an SSE reader that stops reading is cut by the soft limit and its grace period, and counted', async () => {
  const sender = await chatter(server, 'ssecaster', { slowsse: ['broadcaster'] }, 'slowsse');
  const before = await drops();
  const reader = await stuckReader(server.port, 'GET /api/streams/slowsse/events HTTP/1.1\r\nHost: x\r\n\r\n', '"type":"joined"');
  assert.ok(await floodUntil(sender, 'slowsse', async () => (await drops()) > before), 'the stuck SSE reader was never cut');
  // Reading again, it gets what was sent before the cut, then the end.
  reader.socket.resume();
  await within(reader.closed, 10_000, 'the cut SSE response ending');
  sender.close();
});

test('an IRC client over TCP that stops reading is cut by the same rule, and counted', async () => {
  const sender = await chatter(server, 'irccaster', { slowirc: ['broadcaster'] }, 'slowirc');
  const before = await drops();
  const reader = await stuckReader(server.server.ircPort!, 'NICK justinfan777\r\nJOIN #slowirc\r\n', 'End of /NAMES list');
  assert.ok(await floodUntil(sender, 'slowirc', async () => (await drops()) > before), 'the stuck IRC client was never cut');
  reader.socket.resume();
  await within(reader.closed, 10_000, 'the cut IRC socket ending');
  sender.close();
});
