// HllViewerCounter beyond the ViewerCounter contract: windows, expiry, gateways and regions.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, beforeEach, describe, test } from 'node:test';
import { HllViewerCounter, viewerKey } from '../../src/viewers/hll-viewer-count.ts';
import type { ViewerCounter } from '../../src/viewers/viewer-count.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';

const admin = await redisForTests();
const keyPrefix = uniquePrefix();
after(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.close();
});

const WINDOW_MS = 60_000;
// Three standard errors of Redis's HyperLogLog (0.81 %).
const about = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= Math.ceil(expected * 0.0243), `count ${actual}, expected about ${expected}`);

describe('HllViewerCounter', () => {
  let s: string;
  let clock: number;
  const open = (region = 'eu') => HllViewerCounter.connect({ url: REDIS_URL, cluster: false, keyPrefix, region, commandTimeoutMs: 2_000, onError: () => {}, windowMs: WINDOW_MS, now: () => clock });

  beforeEach(() => {
    s = `s-${randomUUID()}`;
    clock = 1_000 * WINDOW_MS;
  });

  test('a viewer counts in the window of their last heartbeat and the next, then ages out', async () => {
    const viewers = await open();
    try {
      viewers.join(s, 'ann');
      viewers.join(s, 'bo');
      assert.equal(await viewers.count(s), 2);
      clock += WINDOW_MS;
      assert.equal(await viewers.count(s), 2);
      viewers.heartbeat(s, ['ann']);
      (viewers as ViewerCounter).leave(s, 'bo');
      clock += WINDOW_MS;
      assert.equal(await viewers.count(s), 1, 'bo sent no heartbeat for a whole window');
      clock += WINDOW_MS;
      assert.equal(await viewers.count(s), 0);
    } finally {
      await viewers.close();
    }
  });

  test('window keys expire after two windows', async () => {
    const viewers = await open();
    try {
      viewers.join(s, 'ann');
      await viewers.count(s);
      const ttl = await admin.pTTL(viewerKey(keyPrefix, s, 'eu', clock / WINDOW_MS));
      assert.ok(ttl > WINDOW_MS && ttl <= 2 * WINDOW_MS, `expires in ${ttl} ms`);
    } finally {
      await viewers.close();
    }
  });

  test('two gateways of one region count a viewer on both once', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    try {
      for (let i = 0; i < 300; i++) a.join(s, `v${i}`);
      for (let i = 200; i < 500; i++) b.join(s, `v${i}`);
      await a.count(s);
      about(await b.count(s), 500);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('regions count apart; countAcrossRegions merges them with PFMERGE', async () => {
    const [eu, us] = await Promise.all([open('eu'), open('us')]);
    try {
      for (let i = 0; i < 600; i++) eu.join(s, `v${i}`);
      for (let i = 400; i < 1000; i++) us.join(s, `v${i}`);
      // A viewer seen in the previous window in one region still counts.
      clock += WINDOW_MS;
      us.heartbeat(s, ['late-1', 'late-2']);
      about(await eu.count(s), 600);
      about(await us.count(s), 602);
      about(await us.countAcrossRegions(s, ['eu', 'us']), 1002);
      const merged = `${keyPrefix}viewers-merged:{${s}}:${clock / WINDOW_MS}`;
      const ttl = await admin.pTTL(merged);
      assert.ok(ttl > 0 && ttl <= WINDOW_MS, `merged key expires in ${ttl} ms`);
      about(await admin.pfCount(merged), 1002);
      assert.equal(await eu.countAcrossRegions(s, ['nowhere']), 0);
    } finally {
      await Promise.all([eu.close(), us.close()]);
    }
  });
});

describe('HllViewerCounter across regions with a Redis each (registers exchanged)', () => {
  let s: string;
  let clock: number;
  // Each region's own key space stands for its own Redis.
  const open = (region: string) => HllViewerCounter.connect({ url: REDIS_URL, cluster: false, keyPrefix: `${keyPrefix}${region}:`, region, commandTimeoutMs: 2_000, onError: () => {}, windowMs: WINDOW_MS, now: () => clock });

  beforeEach(() => {
    s = `s-${randomUUID()}`;
    clock = 1_000 * WINDOW_MS;
  });

  test('a peer\'s register merges into the global count (a viewer in both counts once) and gives the breakdown', async () => {
    const [eu, us] = await Promise.all([open('eu'), open('us')]);
    try {
      for (let i = 0; i < 600; i++) eu.join(s, `v${i}`);
      await eu.count(s);
      clock += WINDOW_MS; // the previous window's viewers are in the register too
      for (let i = 400; i < 1000; i++) us.join(s, `v${i}`);
      const register = await eu.register(s);
      assert.ok(register !== undefined);
      assert.equal(await us.register(`${s}-nobody`), undefined);
      await us.storePeer(s, 'eu', register, 10_000);
      const counted = await us.countWithPeers(s, ['eu', 'ap']);
      about(counted.viewers, 1000);
      about(counted.byRegion.us!, 600);
      about(counted.byRegion.eu!, 600);
      assert.equal(counted.byRegion.ap, 0);
      const ttl = await admin.pTTL(`${keyPrefix}us:viewers-peer:{${s}}:eu`);
      assert.ok(ttl > 0 && ttl <= 10_000, `a peer's register expires in ${ttl} ms`);
    } finally {
      await Promise.all([eu.close(), us.close()]);
    }
  });

  test('a register that is no HyperLogLog is dropped, and counts go on', async () => {
    const us = await open('us');
    try {
      us.join(s, 'ann');
      await assert.rejects(us.storePeer(s, 'eu', Buffer.from('not a register'), 10_000));
      assert.deepEqual(await us.countWithPeers(s, ['eu']), { viewers: 1, byRegion: { us: 1, eu: 0 } });
    } finally {
      await us.close();
    }
  });
});
