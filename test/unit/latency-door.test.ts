// The door of the send path by send latency (src/limits/latency-door.ts), on a clock the test moves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyDoor } from '../../src/limits/latency-door.ts';

function door(targetMs = 500): { door: LatencyDoor; clock: { now: number } } {
  const clock = { now: 0 };
  return { door: new LatencyDoor({ targetMs, intervalMs: 500, now: () => clock.now }), clock };
}

/** `n` sends answered after `ms` each. */
const answered = (d: LatencyDoor, ms: number, n = 10): void => {
  for (let i = 0; i < n; i++) d.observe(ms);
};

/** Ordinary sends let in out of `n` asked at once. */
const letIn = (d: LatencyDoor, n: number): number => Array.from({ length: n }, () => d.admits(false)).filter(Boolean).length;

test('an interval in which most sends were late turns a share away, growing to 90 % while it lasts; the privileged are let in', () => {
  const { door: d, clock } = door();
  const shares: number[] = [];
  for (let i = 0; i < 6; i++) {
    answered(d, 900, 6);
    answered(d, 20, 5); // a few quick ones: most were still over 500
    clock.now += 500;
    shares.push(d.shed);
  }
  assert.deepEqual(shares, [0.2, 0.4, 0.6, 0.8, 0.9, 0.9]);
  assert.equal(letIn(d, 100), 10);
  assert.equal(Array.from({ length: 100 }, () => d.admits(true)).filter(Boolean).length, 100);
});

test('an interval in which half the sends or fewer were late shows no queue: the share falls a tenth an interval, idle intervals too', () => {
  const { door: d, clock } = door();
  for (let i = 0; i < 3; i++) {
    answered(d, 700);
    clock.now += 500;
  }
  assert.equal(d.shed, 0.6);
  answered(d, 900, 5);
  answered(d, 20, 5);
  clock.now += 500;
  assert.equal(d.shed, 0.5);
  clock.now += 2_000; // four intervals with no send
  assert.equal(d.shed, 0.1);
  clock.now += 500;
  assert.equal(d.shed, 0);
  assert.equal(letIn(d, 50), 50);
});

test('the share is kept exactly: at 20 % one ordinary send in five is turned away', () => {
  const { door: d, clock } = door();
  answered(d, 501);
  clock.now += 500;
  assert.equal(d.shed, 0.2);
  assert.equal(letIn(d, 50), 40);
});

test('a target of 0 keeps the door open whatever sends take', () => {
  const { door: d, clock } = door(0);
  for (let i = 0; i < 5; i++) {
    answered(d, 10_000);
    clock.now += 500;
  }
  assert.equal(letIn(d, 20), 20);
});

test('fewer than ten answered sends in an interval are no queue, however slow', () => {
  const { door: d, clock } = door();
  answered(d, 5_000, 9);
  clock.now += 500;
  assert.equal(d.shed, 0);
  assert.equal(letIn(d, 5), 5);
});
