// Fault: Redis dies (SIGKILL) and comes back empty, under two gateways' buses
// a state store and the cluster broker's seq counter. Sends during the outage must be refused, never silently
// dropped, and fan-out must resume by itself within 5 s of Redis returning.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { RecentWindow } from '../../src/broker/recent-window.ts';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import type { Message } from '../../src/protocol/types.ts';
import { RedisState } from '../../src/state/redis-state.ts';
import { OwnRedis } from '../support/redis.ts';

const HEAL_LIMIT_MS = 5_000;
const PROBE_EVERY_MS = 20;
// Long enough for the clients' reconnect backoff to reach its cap.
const OUTAGE_MS = 2_000;

const msg = (stream: string, seq: number): BusEvent => {
  const message: Message = { id: `m${seq}`, stream, seq, ts: Date.now(), user: { id: 'u1', name: 'Ann', badges: [] }, text: `line ${seq}` };
  return { kind: 'msg', message };
};
const draft = (stream: string) => ({ id: randomUUID(), stream, ts: Date.now(), user: { id: 'u1', name: 'Ann', badges: [] }, text: 'stamped' });
const seqOf = (event: BusEvent) => (event.kind === 'msg' ? event.message.seq : -1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const sharded of [false, true]) {
  test(`Redis restart${sharded ? ' (sharded pub/sub)' : ''}: outage publishes and sends reject; both gateways receive again within 5 s`, async (t) => {
    const redis = await OwnRedis.start();
    const resubscribedAt: number[] = [];
    const options = { url: redis.url, cluster: false, keyPrefix: 'fault:', sharded, commandTimeoutMs: 1_000, onError: () => {}, onHandlerError: () => {} };
    const gateways = [
      await RedisBus.connect({ ...options, onResubscribed: () => resubscribedAt.push(performance.now()) }),
      await RedisBus.connect(options),
    ];
    const state = await RedisState.connect(options);
    const window = await RecentWindow.connect({ ...options, capacity: 100, idleMs: 60_000 });
    const stream = `s-${randomUUID()}`;
    const received: number[][] = [[], []];
    try {
      for (const [i, bus] of gateways.entries()) await bus.subscribe(stream, (_s, event) => received[i]!.push(seqOf(event)));
      const [a, b] = gateways as [RedisBus, RedisBus];
      for (let seq = 1; seq <= 3; seq++) await b.publish(stream, msg(stream, seq));
      await waitFor(() => received.every((r) => r.length === 3), 2_000, 'the first events');

      await redis.kill();
      const killedAt = performance.now();

      // Throughout an outage of OUTAGE_MS every publish and every state command is refused.
      const refusalMs: number[] = [];
      for (let seq = 100; performance.now() - killedAt < OUTAGE_MS; seq++) {
        const started = performance.now();
        await assert.rejects((seq % 2 === 0 ? a : b).publish(stream, msg(stream, seq)));
        refusalMs.push(performance.now() - started);
        await sleep(50);
      }
      await assert.rejects(state.checkSend({ stream, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 20, rateWindowMs: 30_000 }));
      await assert.rejects(window.stamp(draft(stream), false, 0));

      // The gateways' clients retry on their own and may be subscribed again before restart() has seen PING answered.
      const restartingAt = performance.now();
      await redis.restart();
      const restartedAt = performance.now();

      // Probe until both gateways receive again. A probe that Redis accepted
      // before a gateway had subscribed again is lost to that gateway: that is
      // pub/sub's nature, and why onResubscribed exists (refill from the log).
      let probe = 1_000;
      const accepted: number[] = [];
      const healed = waitFor(() => received.every((r) => r.some((seq) => seq >= 1_000)), HEAL_LIMIT_MS, 'events after the restart');
      let done = false;
      void healed.finally(() => (done = true)).catch(() => {});
      while (!done) {
        const seq = probe++;
        await b.publish(stream, msg(stream, seq)).then(() => accepted.push(seq), () => {});
        await sleep(PROBE_EVERY_MS);
      }
      await healed;
      const healedAt = performance.now();

      // Flowing again, in one order on both gateways.
      const before = received.map((r) => r.length);
      for (let seq = 2_000; seq < 2_020; seq++) await (seq % 2 === 0 ? a : b).publish(stream, msg(stream, seq));
      await waitFor(() => received.every((r, i) => r.length === before[i]! + 20), 2_000, 'the events after healing');
      assert.deepEqual(received[0]!.slice(before[0]), received[1]!.slice(before[1]));

      // Nothing refused during the outage was delivered later.
      for (const r of received) assert.ok(r.every((seq) => seq < 100 || seq >= 1_000), `refused events surfaced: ${r.join(',')}`);
      assert.ok(resubscribedAt.some((at) => at >= restartingAt), 'onResubscribed fired after Redis came back');
      assert.equal(await window.stamp(draft(stream), false, 0), 1, 'a restarted, empty Redis starts the counter from the floor read from the log (here 0)');

      const lost = received.map((r) => accepted.filter((seq) => !r.includes(seq)).length);
      t.diagnostic(
        `${refusalMs.length} publishes during the outage, each refused within ${Math.max(...refusalMs).toFixed(1)} ms; ` +
          `heal: ${(healedAt - restartedAt).toFixed(0)} ms after Redis answered again (${(healedAt - killedAt).toFixed(0)} ms after the kill, of which outage ${(restartedAt - killedAt).toFixed(0)} ms); ` +
          `onResubscribed ${resubscribedAt.length > 0 ? `${(resubscribedAt.at(-1)! - restartedAt).toFixed(0)} ms after` : 'never'}; ` +
          `probes accepted by Redis before a gateway resubscribed (lost to it): ${lost.join(' / ')} of ${accepted.length}`,
      );
      assert.ok(healedAt - restartedAt < HEAL_LIMIT_MS);
    } finally {
      await Promise.all([...gateways.map((bus) => bus.close()), state.close(), window.close()]);
      await redis.kill();
    }
  });
}

test('Redis hangs: commands reject after the command timeout instead of waiting, and work again when it resumes', async (t) => {
  const redis = await OwnRedis.start();
  const options = { url: redis.url, cluster: false, keyPrefix: 'fault:', commandTimeoutMs: 300, onError: () => {} };
  const bus = await RedisBus.connect({ ...options, sharded: false, onHandlerError: () => {} });
  const state = await RedisState.connect(options);
  const stream = `s-${randomUUID()}`;
  try {
    redis.pause(true);
    const started = performance.now();
    await Promise.all([
      assert.rejects(bus.publish(stream, msg(stream, 1))),
      assert.rejects(state.checkSend({ stream, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 20, rateWindowMs: 30_000 })),
    ]);
    t.diagnostic(`refused ${(performance.now() - started).toFixed(0)} ms into the hang (command timeout 300 ms)`);
    redis.pause(false);
    await bus.publish(stream, msg(stream, 2));
    assert.deepEqual(await state.checkSend({ stream, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 20, rateWindowMs: 30_000 }), { ok: true });
  } finally {
    redis.pause(false);
    await Promise.all([bus.close(), state.close()]);
    await redis.kill();
  }
});

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} did not arrive within ${ms} ms`);
    await sleep(10);
  }
}
