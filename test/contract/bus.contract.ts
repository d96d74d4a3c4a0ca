// The contract every live bus passes (memory and Redis).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Bus, BusEvent, BusHandler } from '../../src/bus/bus.ts';
import { DEFAULT_MODES, type Message } from '../../src/protocol/types.ts';

const WAIT_MS = 2000;

/** Records what a handler receives, and waits until it has received enough. */
class Inbox {
  readonly events: Array<{ stream: string; event: BusEvent }> = [];
  readonly handler: BusHandler = (stream, event) => {
    this.events.push({ stream, event });
    for (const waiter of [...this.#waiters]) if (this.events.length >= waiter.count) waiter.done();
  };
  readonly #waiters = new Set<{ count: number; done: () => void }>();

  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`received ${this.events.length} of ${count} events within ${WAIT_MS} ms`));
      }, WAIT_MS);
      const waiter = {
        count,
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      this.#waiters.add(waiter);
    });
  }

  seqs(): number[] {
    return this.events.map(({ event }) => (event.kind === 'msg' ? event.message.seq : -1));
  }
}

function message(stream: string, seq: number): Message {
  return { id: `m-${stream}-${seq}`, stream, seq, ts: 1_700_000_000_000 + seq, user: { id: 'u1', name: 'Ann', badges: [] }, text: `hello ${seq}` };
}

const msg = (stream: string, seq: number): BusEvent => ({ kind: 'msg', message: message(stream, seq) });

export interface BusContractOptions {
  /**
   * Another gateway's bus on the same backplane as `bus`. In one process the
   * bus is its own backplane, so the embedded bus returns itself.
   */
  peer: (bus: Bus) => Promise<Bus>;
}

export function runBusContract(name: string, make: () => Promise<Bus>, options: BusContractOptions): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    // Unique names, so implementations sharing a server across tests do not cross-talk.
    let s: string;
    let other: string;

    beforeEach(async () => {
      bus = await make();
      s = `bus-${randomUUID()}`;
      other = `bus-${randomUUID()}`;
    });
    afterEach(() => bus.close());

    test('delivers events published after subscribe resolves, in publish order', async () => {
      const inbox = new Inbox();
      await bus.subscribe(s, inbox.handler);
      for (let seq = 1; seq <= 200; seq++) await bus.publish(s, msg(s, seq));
      await inbox.until(200);
      assert.deepEqual(
        inbox.seqs(),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      assert.ok(inbox.events.every((e) => e.stream === s));
    });

    test('publishes not awaited one by one still arrive in order', async () => {
      const inbox = new Inbox();
      await bus.subscribe(s, inbox.handler);
      await Promise.all(Array.from({ length: 100 }, (_, i) => bus.publish(s, msg(s, i + 1))));
      await inbox.until(100);
      assert.deepEqual(
        inbox.seqs(),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });

    test('every subscriber of a stream gets each event exactly once', async () => {
      const a = new Inbox();
      const b = new Inbox();
      await bus.subscribe(s, a.handler);
      await bus.subscribe(s, b.handler);
      for (let seq = 1; seq <= 5; seq++) await bus.publish(s, msg(s, seq));
      await Promise.all([a.until(5), b.until(5)]);
      // A sixth event as a barrier: anything duplicated would have arrived before it.
      await bus.publish(s, msg(s, 6));
      await Promise.all([a.until(6), b.until(6)]);
      assert.deepEqual(a.seqs(), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(b.seqs(), [1, 2, 3, 4, 5, 6]);
    });

    test('streams are isolated', async () => {
      const mine = new Inbox();
      const theirs = new Inbox();
      await bus.subscribe(s, mine.handler);
      await bus.subscribe(other, theirs.handler);
      await bus.publish(other, msg(other, 1));
      await bus.publish(s, msg(s, 1));
      await bus.publish(other, msg(other, 2));
      await Promise.all([mine.until(1), theirs.until(2)]);
      await bus.publish(s, msg(s, 2));
      await mine.until(2);
      assert.deepEqual(
        mine.events.map((e) => e.stream),
        [s, s],
      );
      assert.deepEqual(
        theirs.events.map((e) => e.stream),
        [other, other],
      );
    });

    test('carries every kind of event intact', async () => {
      const inbox = new Inbox();
      await bus.subscribe(s, inbox.handler);
      const withExtras: Message = { ...message(s, 7), user: { id: 'u2', name: 'Bo', color: '#aabbcc', badges: ['moderator', 'subscriber'] }, emotes: [{ name: 'Kappa', start: 0, end: 5 }] };
      const events: BusEvent[] = [
        { kind: 'msg', message: withExtras },
        { kind: 'msg', message: { ...message(s, 8), first: true, reviewed: true } },
        { kind: 'msg', message: { ...message(s, 9), returning: true, emotes: [{ name: 'Kappa', start: 0, end: 5 }] } },
        { kind: 'retract', ids: ['a', 'b'], reason: 'deleted' },
        { kind: 'clear', user: 'u9', reason: 'timeout', seconds: 600 },
        { kind: 'clear', user: 'u8', reason: 'ban' },
        { kind: 'held', held: { id: 'h1', user: { id: 'u3', name: 'Cy', badges: [] }, text: 'hi', reason: 'first message', heldAt: 5, expiresAt: 9 } },
        { kind: 'reviewed', id: 'h1', user: 'u3', text: 'hi', outcome: 'approved', seq: 12 },
        { kind: 'reviewed', id: 'h2', user: 'u3', text: 'yo', outcome: 'expired' },
        { kind: 'modlog', entry: { cursor: 3, stream: s, ts: 5, seq: 7, actor: { id: 'm1', name: 'Mo' }, action: 'timeout', user: { id: 'u3' }, reason: 'spam', detail: '600 s' } },
        { kind: 'state', state: { viewers: 12, modes: { ...DEFAULT_MODES, slowSeconds: 5, subscribersOnly: true, uniqueChatMinutes: 10, knownForMinutes: 0, chatDelaySeconds: 3 } } },
      ];
      for (const event of events) await bus.publish(s, event);
      await inbox.until(events.length);
      assert.deepEqual(
        inbox.events.map((e) => e.event),
        events,
      );
    });

    test('a throwing handler does not stop delivery to the others, nor to itself later', async () => {
      const thrower = new Inbox();
      const after = new Inbox();
      await bus.subscribe(s, (stream, event) => {
        thrower.handler(stream, event);
        throw new Error('handler bug');
      });
      await bus.subscribe(s, after.handler);
      for (let seq = 1; seq <= 3; seq++) await bus.publish(s, msg(s, seq));
      await Promise.all([thrower.until(3), after.until(3)]);
      assert.deepEqual(thrower.seqs(), [1, 2, 3]);
      assert.deepEqual(after.seqs(), [1, 2, 3]);
    });

    test('unsubscribe stops delivery to that handler only, and may be called twice', async () => {
      const leaving = new Inbox();
      const staying = new Inbox();
      const unsubscribe = await bus.subscribe(s, leaving.handler);
      await bus.subscribe(s, staying.handler);
      await bus.publish(s, msg(s, 1));
      await Promise.all([leaving.until(1), staying.until(1)]);
      await unsubscribe();
      await unsubscribe();
      await bus.publish(s, msg(s, 2));
      await bus.publish(s, msg(s, 3));
      await staying.until(3);
      assert.deepEqual(leaving.seqs(), [1]);
      assert.deepEqual(staying.seqs(), [1, 2, 3]);
    });

    test('a stream can be subscribed again after its last subscriber left', async () => {
      const first = new Inbox();
      const unsubscribe = await bus.subscribe(s, first.handler);
      await unsubscribe();
      const second = new Inbox();
      await bus.subscribe(s, second.handler);
      await bus.publish(s, msg(s, 1));
      await second.until(1);
      assert.deepEqual(second.seqs(), [1]);
      assert.deepEqual(first.seqs(), []);
    });

    test('publishing to a stream nobody watches succeeds and reaches no one', async () => {
      const inbox = new Inbox();
      await bus.subscribe(s, inbox.handler);
      await bus.publish(other, msg(other, 1));
      await bus.publish(s, msg(s, 1));
      await inbox.until(1);
      assert.deepEqual(
        inbox.events.map((e) => e.stream),
        [s],
      );
    });

    test('an event published from inside a handler reaches every subscriber in the same order', async () => {
      const a = new Inbox();
      const b = new Inbox();
      let echoed = false;
      await bus.subscribe(s, (stream, event) => {
        a.handler(stream, event);
        if (!echoed) {
          echoed = true;
          void bus.publish(s, msg(s, 100));
        }
      });
      await bus.subscribe(s, b.handler);
      await bus.publish(s, msg(s, 1));
      await bus.publish(s, msg(s, 2));
      await Promise.all([a.until(3), b.until(3)]);
      assert.deepEqual(a.seqs(), b.seqs());
      assert.deepEqual(
        [...a.seqs()].sort((x, y) => x - y),
        [1, 2, 100],
      );
    });

    test('two gateways: each receives what either publishes, all in one and the same order', async () => {
      const peer = await options.peer(bus);
      try {
        const here = new Inbox();
        const there = new Inbox();
        await bus.subscribe(s, here.handler);
        await peer.subscribe(s, there.handler);
        // Both publish at once: the order between them is the backplane's, but it must be one order.
        await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? bus : peer).publish(s, msg(s, i + 1))));
        await Promise.all([here.until(100), there.until(100)]);
        assert.deepEqual(here.seqs(), there.seqs());
        assert.deepEqual(
          [...here.seqs()].sort((a, b) => a - b),
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
        // Each publisher's own events keep its publish order.
        const evens = here.seqs().filter((seq) => seq % 2 === 0);
        assert.deepEqual(evens, [...evens].sort((a, b) => a - b));
      } finally {
        if (peer !== bus) await peer.close();
      }
    });

    test('a gateway that leaves a stream stops receiving it; the other still does', async () => {
      const peer = await options.peer(bus);
      try {
        const leaving = new Inbox();
        const staying = new Inbox();
        const unsubscribe = await peer.subscribe(s, leaving.handler);
        await bus.subscribe(s, staying.handler);
        await bus.publish(s, msg(s, 1));
        await Promise.all([leaving.until(1), staying.until(1)]);
        await unsubscribe();
        await peer.publish(s, msg(s, 2));
        await bus.publish(s, msg(s, 3));
        await staying.until(3);
        assert.deepEqual(leaving.seqs(), [1]);
        assert.deepEqual(staying.seqs(), [1, 2, 3]);
      } finally {
        if (peer !== bus) await peer.close();
      }
    });

    test('publish and subscribe after close reject; close twice is fine', async () => {
      await bus.close();
      await assert.rejects(bus.publish(s, msg(s, 1)));
      await assert.rejects(bus.subscribe(s, () => {}));
      await bus.close();
    });
  });
}
