// What RedisState does beyond the StateStore contract, observed in Redis's keys.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, beforeEach, describe, test } from 'node:test';
import { RedisState } from '../../src/state/redis-state.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';

const admin = await redisForTests();
const keyPrefix = uniquePrefix();
after(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.close();
});

describe('RedisState keys', () => {
  let s: string;
  const key = (rest: string) => `${keyPrefix}{${s}}:${rest}`;
  const open = () => RedisState.connect({ url: REDIS_URL, cluster: false, keyPrefix, commandTimeoutMs: 2_000, onError: () => {} });

  beforeEach(() => {
    s = `s-${randomUUID()}`;
  });

  test('rate and slow-mode keys expire once they can refuse nothing; the rate set holds at most rateMax sends', async () => {
    const state = await open();
    try {
      const now = Date.now();
      for (let i = 0; i < 5; i++) await state.checkSend({ stream: s, userId: 'u1', now: now + i * 10, slowSeconds: 0, rateMax: 10, rateWindowMs: 5_000 });
      assert.equal(await admin.zCard(key('rate:u1')), 5);
      // Older sends leave the set; a smaller limit holds it to its size.
      assert.equal((await state.checkSend({ stream: s, userId: 'u1', now: now + 6_000, slowSeconds: 0, rateMax: 2, rateWindowMs: 5_000 })).ok, true);
      assert.equal(await admin.zCard(key('rate:u1')), 1);
      assert.equal((await state.checkSend({ stream: s, userId: 'u1', now: now + 6_010, slowSeconds: 0, rateMax: 2, rateWindowMs: 5_000 })).ok, true);
      assert.equal((await state.checkSend({ stream: s, userId: 'u1', now: now + 6_020, slowSeconds: 0, rateMax: 2, rateWindowMs: 5_000 })).ok, false);
      assert.equal(await admin.zCard(key('rate:u1')), 2);
      await state.checkSend({ stream: s, userId: 'u2', now: now + 6_020, slowSeconds: 30, rateMax: 2, rateWindowMs: 5_000 });
      const rateTtl = await admin.pTTL(key('rate:u1'));
      const lastTtl = await admin.pTTL(key('last:u2'));
      assert.ok(rateTtl > 0 && rateTtl <= 5_000 + 10_000, `rate set expires in ${rateTtl} ms`);
      assert.ok(lastTtl > 20_000 && lastTtl <= 30_000 + 10_000, `slow-mode key expires in ${lastTtl} ms`);
    } finally {
      await state.close();
    }
  });

  test('on a single Redis one send check is one script call, the user window over all streams and the line\'s checks included', async () => {
    const state = await open();
    const watcher = admin.duplicate();
    await watcher.connect();
    const seen: string[] = [];
    const marker = `${keyPrefix}{${s}}:monitor-marker`;
    let markerSeen: () => void = () => {};
    const markerArrived = new Promise<void>((resolve) => (markerSeen = resolve));
    try {
      await watcher.monitor((line) => {
        if (line.includes(marker)) markerSeen();
        else if (line.includes(s) || line.includes('{user:u-once}')) seen.push(line);
      });
      const line = { textKey: 'k', uniqueWindowMs: 60_000, uniqueMaxLines: 10, duplicateWindowMs: 30_000, knownForMs: -1, returningAfterMs: 3_600_000, chatterKeepMs: 3_600_000, maxChattersPerStream: 100 };
      const verdict = await state.checkSend({ stream: s, userId: 'u-once', now: Date.now(), slowSeconds: 0, rateMax: 5, rateWindowMs: 5_000, userRateMax: 5, line });
      assert.deepEqual(verdict, { ok: true, first: true, returning: false });
      // MONITOR reports commands in the order they ran: once a later command shows, ours have.
      await admin.get(marker);
      await Promise.race([markerArrived, new Promise((_, reject) => setTimeout(() => reject(new Error('MONITOR never showed the marker')), 5_000).unref())]);
      // EVALSHA (or EVAL on a cold script cache) from the client; not the script's own commands.
      const calls = seen.filter((l) => /\] "(evalsha|eval)"/i.test(l));
      assert.equal(calls.length, 1, seen.join('\n'));
      assert.equal(await admin.zCard(`${keyPrefix}{user:u-once}:rate`), 1);
    } finally {
      watcher.destroy();
      await state.close();
    }
  });

  test('user ids cannot reach into other keys', async () => {
    const state = await open();
    try {
      await state.setBan(s, 'x:rate:u1', { until: null });
      assert.equal(await state.getBan(s, 'u1', Date.now()), null);
      assert.deepEqual(await state.checkSend({ stream: s, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 1, rateWindowMs: 1_000 }), { ok: true });
    } finally {
      await state.close();
    }
  });

  test('a timeout key expires when the timeout ends; a permanent ban never does', async () => {
    const state = await open();
    try {
      await state.setBan(s, 'timed', { until: Date.now() + 60_000 });
      await state.setBan(s, 'banned', { until: null });
      const ttl = await admin.pTTL(key('ban:timed'));
      assert.ok(ttl > 50_000 && ttl <= 60_000, `timeout key expires in ${ttl} ms`);
      assert.equal(await admin.pTTL(key('ban:banned')), -1);
    } finally {
      await state.close();
    }
  });
});
