// A flush writes a chunk of its audience per turn of the event loop, a join
// storm's joiners included (src/fanout/chunked-write.ts): thousands of
// joiners written in one turn held a busy gateway for half a second.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { Channel } from '../../src/fanout/channel.ts';
import { FlushScheduler } from '../../src/fanout/flush-scheduler.ts';
import type { Viewer } from '../../src/fanout/outbound-frame.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { DEFAULT_MODES, type Message } from '../../src/protocol/types.ts';

const message = (seq: number): Message => ({ id: `m${seq}`, stream: 's', seq, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text: 't' });

test('a flush to 2,500 joiners and 1,500 viewers writes at most 1,000 of them per turn, joiners first, each once', async () => {
  const channel = new Channel('s', 100, { viewers: 4_000, modes: { ...DEFAULT_MODES }, rate: { perSecond: 0, sampling: false, keepRatio: 1 } });
  const written: string[] = [];
  const viewerNamed = (id: string): Viewer => ({ viewerId: id, signedIn: false, deliver: () => written.push(id) });
  for (let i = 0; i < 2_500; i++) channel.joiners.set(viewerNamed(`j${i}`), { viewerId: `j${i}`, floor: 0 });
  for (let i = 0; i < 1_500; i++) channel.viewers.set(viewerNamed(`v${i}`), `v${i}`);
  const scheduler = new FlushScheduler({ metrics: new Metrics(), maxFlushMs: 500, stateIntervalMs: 1_000, sampling: { observeFanoutDelay: () => {} } });
  channel.pending.push({ kind: 'msg', message: message(1) });

  scheduler.flush(channel);
  const perTurn = [written.length];
  for (let turn = 0; turn < 20 && channel.delivering; turn++) {
    await nextTurn();
    perTurn.push(written.length - perTurn.reduce((a, b) => a + b, 0));
  }
  assert.equal(channel.delivering, false, 'the fan-out finished');
  assert.ok(perTurn.every((n) => n <= 1_000), `written per turn: ${perTurn.join(', ')}`);
  assert.equal(written.length, 4_000);
  assert.equal(new Set(written).size, 4_000, 'each once');
  assert.ok(written.slice(0, 2_500).every((id) => id.startsWith('j')), 'the joiners first');
  assert.equal(channel.joiners.size, 0, 'every joiner caught up and promoted');
});
