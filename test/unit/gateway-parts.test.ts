import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import * as wsModule from 'ws';
import { MessageWindow } from '../../src/fanout/message-window.ts';
import { OutboundFrame } from '../../src/fanout/outbound-frame.ts';
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

const NO_CONTENT = { kind: 'msgs', stream: 's', messages: [] } as const;

test('outbound frame bytes are a valid WebSocket text frame at every length class', async () => {
  for (const length of [3, 125, 126, 65_535, 65_536, 200_000]) {
    const json = JSON.stringify({ t: 'é'.repeat(Math.max(0, Math.floor((length - 8) / 2))) });
    const frame = new OutboundFrame(json, NO_CONTENT, 1, 5);
    assert.equal(frame.wsBytes(), frame.wsBytes(), 'encoded once');
    const receiver = new Receiver({ isServer: false });
    const got = new Promise<string>((resolve) => receiver.on('message', (data: Buffer) => resolve(data.toString())));
    receiver.write(frame.wsBytes());
    assert.equal(await got, json);
  }
  assert.equal(new OutboundFrame('{"a":1}', NO_CONTENT, 1, 9).sse(), 'id: 9\ndata: {"a":1}\n\n');
  assert.equal(new OutboundFrame('{"a":1}', NO_CONTENT, 0, undefined).sse(), 'data: {"a":1}\n\n');
});
