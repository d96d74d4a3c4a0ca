// The heartbeat pings a gateway's sessions a slice at a time, spread over
// its interval (src/session/heartbeat-sweep.ts): all 10,000 at once were a
// whole extra fan-out every 30 s, and lines sent then came late.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { HeartbeatSweep, type Heartbeating } from '../../src/session/heartbeat-sweep.ts';

const INTERVAL_MS = 600;

function sessionsCalling(count: number, calls: Array<{ i: number; at: number }>): Heartbeating[] {
  return Array.from({ length: count }, (_, i) => ({ heartbeat: () => calls.push({ i, at: performance.now() }) }));
}

test('3,000 sessions are pinged over the whole interval, about a thirtieth at a time, each once', async () => {
  const calls: Array<{ i: number; at: number }> = [];
  const sessions = sessionsCalling(3_000, calls);
  const sweep = new HeartbeatSweep(INTERVAL_MS);
  for (const s of sessions) sweep.add(s);
  const started = performance.now();
  for (let waited = 0; calls.length < sessions.length && waited < 300; waited++) await sleep(10);
  sweep.stop();

  assert.equal(new Set(calls.map((c) => c.i)).size, sessions.length, 'every session once');
  // Calls within 5 ms of each other came from one tick (ticks are 20 ms apart).
  const ticks: number[] = [];
  let tickStart = -Infinity;
  for (const { at } of calls) {
    if (at - tickStart > 5) {
      ticks.push(0);
      tickStart = at;
    }
    ticks[ticks.length - 1]!++;
  }
  assert.ok(Math.max(...ticks) <= 100, `sessions pinged in one tick: ${ticks.join(', ')}`);
  const spread = calls.at(-1)!.at - calls[0]!.at;
  assert.ok(spread >= INTERVAL_MS * 0.8 && calls.at(-1)!.at - started <= INTERVAL_MS * 3, `the pings spread over ${Math.round(spread)} ms`);
});

test('a session is pinged an interval apart even when most others leave, and those are pinged no more', async () => {
  const calls: Array<{ i: number; at: number }> = [];
  const sessions = sessionsCalling(300, calls);
  const sweep = new HeartbeatSweep(INTERVAL_MS);
  for (const s of sessions) sweep.add(s);
  await sleep(INTERVAL_MS / 2);
  for (const s of sessions.slice(0, 290)) sweep.delete(s);
  const deletedAt = performance.now();
  for (let waited = 0; calls.filter((c) => c.i >= 290).length < 30 && waited < 400; waited++) await sleep(10);
  sweep.stop();

  for (let i = 290; i < 300; i++) {
    const times = calls.filter((c) => c.i === i).map((c) => c.at);
    assert.ok(times.length >= 2, `session ${i} pinged ${times.length} times`);
    for (let k = 1; k < times.length; k++) assert.ok(times[k]! - times[k - 1]! >= INTERVAL_MS * 0.8, `session ${i}: ${Math.round(times[k]! - times[k - 1]!)} ms between pings`);
  }
  assert.ok(calls.filter((c) => c.i < 290).every((c) => c.at < deletedAt), 'a session that left is not pinged');
});

test('a stopped sweep calls nobody', async () => {
  let called = 0;
  const sweep = new HeartbeatSweep(30);
  sweep.add({ heartbeat: () => called++ });
  sweep.stop();
  await sleep(60);
  assert.equal(called, 0);
});
