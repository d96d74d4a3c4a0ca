// What RedisBus does beyond the Bus contract, observed from Redis itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { RedisBus } from '../../src/bus/redis-bus.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';

const admin = await redisForTests();
const keyPrefix = uniquePrefix();
after(async () => {
  await deleteKeys(admin, keyPrefix);
  await admin.close();
});

const event: BusEvent = { kind: 'retract', ids: ['a'], reason: 'deleted' };

for (const sharded of [false, true]) {
  describe(sharded ? 'RedisBus, sharded pub/sub' : 'RedisBus', () => {
    const connect = (onHandlerError: (error: unknown, stream: string) => void = () => {}) =>
      RedisBus.connect({ url: REDIS_URL, cluster: false, keyPrefix, sharded, commandTimeoutMs: 2_000, onError: () => {}, onHandlerError });

    /** How many connections Redis has subscribed to a stream's channel. */
    async function subscribers(stream: string): Promise<number> {
      const channel = `${keyPrefix}bus:{${stream}}`;
      const reply = (await admin.sendCommand(['PUBSUB', sharded ? 'SHARDNUMSUB' : 'NUMSUB', channel])) as [string, number];
      return Number(reply[1]);
    }

    test('one Redis subscription per stream while any local subscriber remains', async () => {
      const bus = await connect();
      const stream = `s-${randomUUID()}`;
      try {
        assert.equal(await subscribers(stream), 0);
        const first = await bus.subscribe(stream, () => {});
        const second = await bus.subscribe(stream, () => {});
        assert.equal(await subscribers(stream), 1);
        await first();
        assert.equal(await subscribers(stream), 1);
        await second();
        assert.equal(await subscribers(stream), 0);
        // Subscribe, leave and come back in one go: Redis ends subscribed, once.
        const again = bus.subscribe(stream, () => {});
        await (await again)();
        await bus.subscribe(stream, () => {});
        assert.equal(await subscribers(stream), 1);
      } finally {
        await bus.close();
      }
      assert.equal(await subscribers(stream), 0);
    });

    test('a payload that cannot be decoded is reported, and later events still arrive', async () => {
      const reported: string[] = [];
      const bus = await connect((_error, stream) => reported.push(stream));
      const stream = `s-${randomUUID()}`;
      try {
        const received: BusEvent[] = [];
        await bus.subscribe(stream, (_s, e) => received.push(e));
        const channel = `${keyPrefix}bus:{${stream}}`;
        await admin.sendCommand([sharded ? 'SPUBLISH' : 'PUBLISH', channel, '{not json']);
        await bus.publish(stream, event);
        for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(received, [event]);
        assert.deepEqual(reported, [stream]);
      } finally {
        await bus.close();
      }
    });
  });
}
