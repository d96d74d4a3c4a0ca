// The contract every held-line store passes (process memory embedded, Redis
// in cluster mode). A shared store (`peer`: a second connection to the same
// store, as another gateway has) hands each line to one taker only.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import type { HeldMessage, HeldStore, HeldStoreBounds } from '../../src/held/held-store.ts';

export interface HeldHarness {
  open(bounds: HeldStoreBounds): Promise<HeldStore>;
  /** Another gateway's connection to the same store; absent for a store of one process. */
  peer?(bounds: HeldStoreBounds): Promise<HeldStore>;
}

const TTL = 60_000;
const BOUNDS: HeldStoreBounds = { ttlMs: TTL, perStream: 3 };

export function runHeldContract(name: string, harness: HeldHarness): void {
  describe(`Held store contract: ${name}`, () => {
    const opened: HeldStore[] = [];
    const open = async (bounds = BOUNDS): Promise<HeldStore> => {
      const store = await harness.open(bounds);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    // A stream of each test's own: a shared store keeps other tests' lines.
    const stream = (): string => `held-${randomUUID()}`;
    const line = (s: string, text: string, heldAt: number, extra: Partial<HeldMessage> = {}): HeldMessage => ({
      id: randomUUID(), stream: s, user: { id: 'u1', name: 'Una', badges: ['subscriber'] }, text, emotes: undefined, reason: 'held term', heldAt, first: false, returning: false, ...extra,
    });

    test('a held line is listed, oldest first, with everything it carries; other streams are apart', async () => {
      const store = await open();
      const s = stream();
      const now = Date.now();
      const reply = { id: 'p1', user: { id: 'u2', name: 'Pat' }, text: 'the parent', thread: { id: 'p1', user: { id: 'u2', name: 'Pat' } } };
      const first = line(s, 'one', now - 2, { emotes: [{ name: 'Kappa', start: 0, end: 4 }], reply, first: true });
      const second = line(s, 'two', now - 1, { returning: true });
      assert.deepEqual(await store.add(first), []);
      assert.deepEqual(await store.add(second), []);
      await store.add(line(stream(), 'elsewhere', now));
      assert.deepEqual(await store.list(s, now), [first, second]);
    });

    test('one line past the stream\'s bound pushes the oldest out, and returns it', async () => {
      const store = await open();
      const s = stream();
      const now = Date.now();
      const lines = [0, 1, 2, 3].map((i) => line(s, `l${i}`, now + i));
      for (const l of lines.slice(0, 3)) assert.deepEqual(await store.add(l), []);
      assert.deepEqual(await store.add(lines[3]!), [lines[0]]);
      assert.deepEqual((await store.list(s, now + 3)).map((l) => l.text), ['l1', 'l2', 'l3']);
    });

    test('take hands a line over once, and not after its ttl', async () => {
      const store = await open();
      const s = stream();
      const now = Date.now();
      const fresh = line(s, 'fresh', now);
      const old = line(s, 'old', now - TTL);
      await store.add(old);
      await store.add(fresh);
      assert.deepEqual(await store.take(s, fresh.id, now, 'approved'), fresh);
      assert.equal(await store.take(s, fresh.id, now, 'approved'), undefined, 'taken already');
      assert.equal(await store.take(s, old.id, now, 'denied'), undefined, 'its ttl has passed');
      assert.equal(await store.take(s, 'no-such-id', now, 'denied'), undefined);
      assert.deepEqual(await store.list(s, now), [], 'an expired line is not listed');
    });

    test('expire returns each line whose ttl has passed, once, and keeps the others', async () => {
      const store = await open();
      const s = stream();
      const now = Date.now();
      const old = line(s, 'old', now - TTL - 1);
      const fresh = line(s, 'fresh', now);
      await store.add(old);
      await store.add(fresh);
      const gone = await store.expire(now);
      assert.deepEqual(gone.filter((l) => l.stream === s), [old]);
      assert.deepEqual((await store.expire(now)).filter((l) => l.stream === s), [], 'once');
      assert.deepEqual(await store.list(s, now), [fresh]);
    });

    if (harness.peer !== undefined) {
      test('shared: a line held through one connection is listed, taken and expired through another, each by one taker', async () => {
        const store = await open();
        const other = await harness.peer!(BOUNDS);
        opened.push(other);
        const s = stream();
        const now = Date.now();
        const held = line(s, 'on a', now);
        await store.add(held);
        assert.deepEqual(await other.list(s, now), [held]);
        const takes = await Promise.all([store.take(s, held.id, now, 'approved'), other.take(s, held.id, now, 'denied')]);
        assert.equal(takes.filter((t) => t !== undefined).length, 1, 'one taker');
        const old = line(s, 'old', now - TTL - 1);
        await store.add(old);
        const expired = (await Promise.all([store.expire(now), other.expire(now)])).flat().filter((l) => l.stream === s);
        assert.deepEqual(expired, [old], 'expired once between the two');
      });
    }
  });
}
