// The heartbeat pings a gateway's sessions a chunk per turn of the event
// loop (src/session/heartbeat-sweep.ts): all 10,000 in one timer callback
// held a busy gateway for up to a second.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { HeartbeatSweep, type Heartbeating } from '../../src/session/heartbeat-sweep.ts';

test('a sweep of 2,500 sessions calls each once, at most 1,000 in one callback', async () => {
  const calls: number[] = [];
  // Calls made with no microtask checkpoint between them ran in one callback of the event loop.
  let inOneCallback = 0;
  let mostInOneCallback = 0;
  const sessions: Heartbeating[] = Array.from({ length: 2_500 }, (_, i) => ({
    heartbeat: () => {
      if (inOneCallback === 0) queueMicrotask(() => (inOneCallback = 0));
      mostInOneCallback = Math.max(mostInOneCallback, ++inOneCallback);
      calls.push(i);
    },
  }));
  const sweep = new HeartbeatSweep(() => sessions, 20);
  for (let waited = 0; calls.length < sessions.length && waited < 200; waited++) await sleep(10);
  sweep.stop();

  const first = calls.slice(0, sessions.length);
  assert.equal(new Set(first).size, sessions.length, 'every session once');
  assert.ok(mostInOneCallback <= 1_000, `${mostInOneCallback} heartbeats in one callback`);
});

test('a stopped sweep calls nobody', async () => {
  let called = 0;
  const sweep = new HeartbeatSweep(() => [{ heartbeat: () => called++ }], 5);
  sweep.stop();
  await sleep(30);
  assert.equal(called, 0);
});
