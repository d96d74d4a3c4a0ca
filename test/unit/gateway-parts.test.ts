import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import * as wsModule from 'ws';
import { MessageWindow } from '../../src/fanout/message-window.ts';
import { OutboundBatch, OutboundFrame } from '../../src/fanout/outbound-frame.ts';
import { wsTextFrame } from '../../src/net/ws-frame.ts';
import { v1Json } from '../../src/protocol/v1-shared-frames.ts';
import { wsBatchBytes, wsFrameBytes } from '../../src/transports/ws/ws-encoding.ts';
import { sseEvent } from '../../src/transports/sse/sse-encoding.ts';
import { TokenBucket } from '../../src/limits/token-bucket.ts';
import type { Message } from '../../src/protocol/types.ts';

// ws's own frame parser (untyped in @types/ws) checks our hand-made frames.
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void } };

const message = (seq: number, user = 'u'): Message => ({ id: `m${seq}`, stream: 's', seq, ts: seq, user: { id: user, name: user, badges: [] }, text: 't' });

test('message window keeps the newest, in order, and remembers what it evicted', () => {
  const w = new MessageWindow(3);
  for (const seq of [1, 2, 4, 7]) w.push(message(seq));
  assert.deepEqual(w.after(0).map((m) => m.seq), [2, 4, 7]);
  assert.deepEqual(w.after(3).map((m) => m.seq), [4, 7]);
  assert.equal(w.evictedUpTo, 1);
  w.remove((m) => m.seq === 4);
  assert.deepEqual(w.after(0).map((m) => m.seq), [2, 7]);
  w.push(message(8));
  assert.deepEqual(w.after(0).map((m) => m.seq), [2, 7, 8]);
  assert.equal(w.evictedUpTo, 1);
});

test('token bucket allows a burst, then refills at burst per window', () => {
  const b = new TokenBucket(3, 1_000);
  assert.deepEqual([0, 0, 1, 2].map((t) => b.tryTake(t)), [true, true, true, false], 'the burst, then none left');
  assert.equal(b.tryTake(300), false, 'a third of a window refills 0.9 of a token');
  assert.equal(b.tryTake(340), true, 'one token after a third of a window and a bit');
  assert.equal(b.tryTake(340), false);
  assert.deepEqual([10_000, 10_000, 10_000, 10_000].map((t) => b.tryTake(t)), [true, true, true, false], 'refilled to the burst, never above it');
  assert.equal(b.tryTake(5_000), false, 'a clock that went back refills nothing');
});

const received = (bytes: Buffer): Promise<string> => {
  const receiver = new Receiver({ isServer: false });
  const got = new Promise<string>((resolve) => receiver.on('message', (data: Buffer) => resolve(data.toString())));
  receiver.write(bytes);
  return got;
};

test('outbound frame bytes are a valid WebSocket text frame at every length class', async () => {
  for (const length of [3, 125, 126, 65_535, 65_536, 200_000]) {
    const json = JSON.stringify({ t: 'é'.repeat(Math.max(0, Math.floor((length - 8) / 2))) });
    assert.equal(await received(wsTextFrame(json)), json);
  }
  const lines = new OutboundFrame({ kind: 'msgs', stream: 's', messages: [message(9)] }, 1, 9);
  assert.equal(lines.formIn(v1Json), '{"type":"msg",' + JSON.stringify(message(9)).slice(1), 'one line is a msg frame');
  assert.equal(lines.formIn(wsFrameBytes), lines.formIn(wsFrameBytes), 'encoded once');
  assert.equal(await received(lines.formIn(wsFrameBytes)), lines.formIn(v1Json));
  assert.equal(lines.formIn(sseEvent), `id: 9\ndata: ${lines.formIn(v1Json)}\n\n`);
  const retract = new OutboundFrame({ kind: 'retract', stream: 's', ids: ['m1'], reason: 'r', known: [] }, 0, undefined);
  assert.equal(retract.formIn(sseEvent), 'data: {"type":"retract","stream":"s","ids":["m1"],"reason":"r"}\n\n');
});

test('a flush is encoded once per encoding: every socket, and a joiner\'s cut-down batch, share the bytes', () => {
  const lines = new OutboundFrame({ kind: 'msgs', stream: 's', messages: [message(1), message(2)] }, 2, 2);
  const retract = new OutboundFrame({ kind: 'retract', stream: 's', ids: ['m1'], reason: 'r', known: [] }, 0, undefined);
  const flush = new OutboundBatch([lines, retract]);
  const bytes = flush.formIn(wsBatchBytes);
  assert.equal(flush.formIn(wsBatchBytes), bytes, 'the same Buffer for the next socket');
  assert.deepEqual(bytes, Buffer.concat([lines.formIn(wsFrameBytes), retract.formIn(wsFrameBytes)]));
  assert.equal(new OutboundBatch([retract]).formIn(wsBatchBytes), retract.formIn(wsFrameBytes), 'a frame reused in another batch is not framed again');
});
