import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFLATE_MIN_BYTES, takesSharedDeflate, wsDeflatedTextFrame } from '../../src/net/ws-deflate.ts';
import { wsTextFrame } from '../../src/net/ws-frame.ts';
import { writePreframed } from '../../src/net/ws-write.ts';

// Frames deflated once by src/net/ws-deflate.ts, decoded by ws's own inflater in a real client.

async function deflatingPair(): Promise<{ server: WebSocket; client: WebSocket; headers: string[]; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { serverNoContextTakeover: true, threshold: Infinity } });
  await once(wss, 'listening');
  let headers: string[] = [];
  wss.on('headers', (h: string[]) => {
    headers = [...h];
  });
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: true });
  const [server] = await accepted;
  await once(client, 'open');
  return {
    server,
    client,
    headers,
    close: async () => {
      client.terminate();
      server.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

const line = (n: number): string => JSON.stringify({ type: 'msg', stream: 'bench', seq: n, user: { id: 'u1', name: 'someone' }, text: `probe ${n} `.repeat(20) });

test('a deflated frame has RSV1 set, is smaller than the plain one, and short texts stay plain', () => {
  const text = line(1);
  const frame = wsDeflatedTextFrame(text)!;
  assert.equal(frame[0], 0xc1, 'FIN + RSV1 + text');
  assert.ok(frame.length < wsTextFrame(text).length);
  assert.equal(wsDeflatedTextFrame('x'.repeat(DEFLATE_MIN_BYTES - 1)), undefined);
});

test('ws inflates the shared compressed frames, in order with plain frames and ws.send, which ws leaves uncompressed', async () => {
  const { server, client, headers, close } = await deflatingPair();
  try {
    assert.equal(client.extensions, 'permessage-deflate');
    assert.ok(takesSharedDeflate(headers), `negotiated: ${headers.join(' | ')}`);
    const raw: Buffer[] = [];
    (client as unknown as { _socket: { on(e: 'data', f: (b: Buffer) => void): void } })._socket.on('data', (b) => raw.push(b));
    const big = 'y'.repeat(70_000);
    const expected = ['ack 0', line(1), line(2), 'short', `ack ${big}`, line(3), big];
    const received: string[] = [];
    const all = new Promise<void>((resolve) => client.on('message', (data, binary) => {
      assert.equal(binary, false);
      received.push(String(data));
      if (received.length === expected.length) resolve();
    }));
    server.send(expected[0]!);
    assert.equal(writePreframed(server, Buffer.concat([wsDeflatedTextFrame(line(1))!, wsDeflatedTextFrame(line(2))!, wsTextFrame('short')])), true);
    server.send(expected[4]!);
    // Still idle after a large send: ws compressed nothing, so nothing waits behind a deflate.
    assert.equal(writePreframed(server, Buffer.concat([wsDeflatedTextFrame(line(3))!, wsDeflatedTextFrame(big)!])), true);
    await all;
    assert.deepEqual(received, expected);
    const bytes = Buffer.concat(raw);
    // The 70 kB per-socket send went plain: its text is on the wire as it is.
    assert.ok(bytes.includes(`ack ${big}`), 'ws.send compressed a per-socket frame');
    assert.ok(bytes.length < 2 * big.length, 'the shared 70 kB frame went compressed');
  } finally {
    await close();
  }
});

test('only an extension answer with server_no_context_takeover and a full window takes the shared compressed frames', () => {
  const answer = (ext: string | undefined): string[] => ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', ...(ext === undefined ? [] : [`Sec-WebSocket-Extensions: ${ext}`])];
  assert.equal(takesSharedDeflate(answer('permessage-deflate; server_no_context_takeover; client_max_window_bits=15')), true);
  assert.equal(takesSharedDeflate(answer('permessage-deflate; server_no_context_takeover; server_max_window_bits=15')), true);
  assert.equal(takesSharedDeflate(answer('permessage-deflate; server_no_context_takeover; server_max_window_bits=10')), false);
  assert.equal(takesSharedDeflate(answer('permessage-deflate; client_max_window_bits=15')), false);
  assert.equal(takesSharedDeflate(answer(undefined)), false);
});
