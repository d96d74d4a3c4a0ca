import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinuteCounts } from '../../src/analytics/minute-counts.ts';
import { StreamAnalytics } from '../../src/analytics/stream-analytics.ts';
import { RecentTopChatters, SpaceSaving } from '../../src/analytics/top-chatters.ts';
import type { Message } from '../../src/protocol/types.ts';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN); // a minute boundary

test('minute counts: one slot per minute, the oldest forgotten as the ring wraps, late messages filed by their own minute', () => {
  const counts = new MinuteCounts(3);
  counts.record(T0);
  counts.record(T0 + 1);
  counts.record(T0 + MIN);
  counts.record(T0 + 2 * MIN + 5);
  assert.deepEqual(counts.series(T0 + 2 * MIN).map((m) => m.messages), [2, 1, 1]);
  assert.deepEqual(counts.series(T0 + 2 * MIN).map((m) => m.minute), [T0, T0 + MIN, T0 + 2 * MIN]);
  counts.record(T0 + 3 * MIN); // reuses the slot of T0
  assert.deepEqual(counts.series(T0 + 3 * MIN).map((m) => m.messages), [1, 1, 1]);
  counts.record(T0); // older than the ring reaches: ignored
  counts.record(T0 + MIN); // late, but still inside
  assert.deepEqual(counts.series(T0 + 3 * MIN).map((m) => m.messages), [2, 1, 1]);
  assert.equal(counts.countAt(T0 + 2 * MIN), 1);
  // Minutes with nothing recorded read 0, even when their slot holds an older minute.
  assert.deepEqual(counts.series(T0 + 5 * MIN).map((m) => m.messages), [1, 0, 0]);
});

test('space-saving keeps every chatter above total/capacity with few counters, never understating', () => {
  const sketch = new SpaceSaving(10);
  // 310 messages: heavy1 (50) and heavy2 (40) are above 310/10, among 200 one-message users.
  for (let i = 0; i < 200; i++) {
    sketch.record(`light${i}`, `light${i}`);
    if (i % 4 === 0) sketch.record('heavy1', 'heavy1');
    if (i % 5 === 0) sketch.record('heavy2', 'heavy2');
    if (i % 10 === 0) sketch.record('heavy3', 'heavy3');
  }
  const counts = new Map([...sketch.entries()].map(([id, c]) => [id, c.count]));
  assert.equal(counts.size, 10);
  assert.ok(counts.get('heavy1')! >= 50, `heavy1 ${counts.get('heavy1')}`);
  assert.ok(counts.get('heavy2')! >= 40, `heavy2 ${counts.get('heavy2')}`);
});

test('top chatters cover the current and the previous period only', () => {
  const top = new RecentTopChatters(10, 30 * MIN);
  top.record(T0, 'a', 'ann');
  top.record(T0, 'a', 'ann');
  top.record(T0, 'b', 'bob');
  top.record(T0 + 30 * MIN, 'b', 'bob');
  top.record(T0 + 30 * MIN, 'b', 'bob2');
  assert.deepEqual(top.top(10, T0 + 30 * MIN), [
    { id: 'b', name: 'bob2', messages: 3 },
    { id: 'a', name: 'ann', messages: 2 },
  ]);
  assert.deepEqual(top.top(1, T0 + 30 * MIN), [{ id: 'b', name: 'bob2', messages: 3 }]);
  // A period later, the first period is gone.
  assert.deepEqual(top.top(10, T0 + 60 * MIN), [{ id: 'b', name: 'bob2', messages: 2 }]);
  assert.deepEqual(top.top(10, T0 + 120 * MIN), []);
});

function message(stream: string, ts: number, user = 'u'): Message {
  return { id: `${stream}-${ts}`, stream, seq: 1, ts, user: { id: user, name: user, badges: [] }, text: 'x' };
}

test('stream analytics: bounded streams (the quietest forgotten first) and the busiest for metrics', () => {
  const analytics = new StreamAnalytics({ maxStreams: 2, minutes: 60, chatterCounters: 10, topChatters: 3 });
  analytics.record(message('a', T0));
  analytics.record(message('b', T0));
  analytics.record(message('b', T0 + 1));
  analytics.record(message('a', T0 + MIN)); // a is active again: b is now the one quiet longest
  analytics.record(message('c', T0 + MIN));
  assert.deepEqual(analytics.report('b', T0 + MIN).topChatters, []);
  assert.equal(analytics.report('a', T0 + MIN).lastMinute, 1);
  assert.deepEqual(analytics.busiest(5, T0 + MIN), [{ stream: 'a', lastMinute: 1 }]);
  analytics.record(message('c', T0 + MIN + 1, 'v'));
  assert.deepEqual(analytics.busiest(5, T0 + 2 * MIN), [{ stream: 'c', lastMinute: 2 }, { stream: 'a', lastMinute: 1 }]);
  assert.deepEqual(analytics.busiest(1, T0 + 2 * MIN), [{ stream: 'c', lastMinute: 2 }]);
});
