import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { wsTextFrame } from '../../src/net/ws-frame.ts';
import { writePreframed } from '../../src/net/ws-write.ts';

// src/net/ws-write.ts is the one place that uses ws internals: this checks them against the installed ws.

async function connectedPair(): Promise<{ server: WebSocket; client: WebSocket; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const [server] = await accepted;
  await once(client, 'open');
  return {
    server,
    client,
    close: async () => {
      client.terminate();
      server.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

test('the installed ws still has the sender internals writePreframed uses (else: update src/net/ws-write.ts)', async () => {
  const { server, close } = await connectedPair();
  try {
    const sender = (server as unknown as { _sender?: { _state?: unknown; sendFrame?: unknown } })._sender;
    assert.ok(sender !== undefined, 'WebSocket#_sender is gone');
    assert.equal(typeof sender.sendFrame, 'function', 'Sender#sendFrame is gone');
    assert.equal(sender._state, 0, 'Sender#_state is no longer 0 while idle');
  } finally {
    await close();
  }
});

test('frames written once reach the client as frames, in order with ws.send', async () => {
  const { server, client, close } = await connectedPair();
  try {
    const received: string[] = [];
    const all = new Promise<void>((resolve) => client.on('message', (data) => {
      received.push(String(data));
      if (received.length === 4) resolve();
    }));
    server.send('first');
    assert.equal(writePreframed(server, Buffer.concat([wsTextFrame('{"a":1}'), wsTextFrame('x'.repeat(70_000))])), true);
    server.send('last');
    await all;
    assert.deepEqual(received, ['first', '{"a":1}', 'x'.repeat(70_000), 'last']);
  } finally {
    await close();
  }
});
