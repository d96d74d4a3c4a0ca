// The contract every broker passes (embedded: memory bus + SQLite; cluster:
// Redis + Kafka). A broker stamps a draft (seq), makes it durable, publishes
// it live, and reads history; see docs/decisions.md, "Publish after the
// durable append" and "Cluster mode stamps and publishes in one step".
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Broker, Draft } from '../../src/broker/broker.ts';
import type { Bus, BusEvent } from '../../src/bus/bus.ts';
import type { DurableLog } from '../../src/log/log.ts';
import type { Message } from '../../src/protocol/types.ts';

/** One gateway's broker on the harness's stores, with what the tests look through. */
export interface OpenBroker {
  broker: Broker;
  /** The bus the broker publishes on, to watch what viewers would see. */
  bus: Bus;
  /** The durable log alone, without anything the broker keeps in front of it. */
  stored: DurableLog;
  /** While on, every durable append of this broker rejects (the log is down). */
  failAppends(on: boolean): void;
  close(): Promise<void>;
}

/** Empty stores; `open` may be called again after `close` (a restart) or, when shared, beside another open broker (another gateway). */
export interface BrokerHarness {
  open(): Promise<OpenBroker>;
  /** What a restart of the seq's owner may lose beyond a process restart (Redis without AOF loses its counters). */
  loseCounters(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface BrokerContractOptions {
  /** Whether two brokers open at once share their stores, as cluster gateways do; the tests of sharing are left out otherwise. */
  shared: boolean;
  /** Multi-region mode: the region every stamped message carries as `origin`. */
  origin?: string;
}

const seqsOf = (messages: Message[]): number[] => messages.map((m) => m.seq);
const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

function draft(stream: string, text: string): Draft {
  return { id: randomUUID(), stream, ts: Date.now(), user: { id: 'u1', name: 'u1', badges: [] }, text };
}

/** Every event the bus carries for `stream` from now on. */
async function watch(bus: Bus, stream: string): Promise<BusEvent[]> {
  const events: BusEvent[] = [];
  await bus.subscribe(stream, (_stream, event) => events.push(event));
  return events;
}

/** The messages a viewer would be left with: published ones minus those retracted since. */
function shown(events: BusEvent[]): Message[] {
  const retracted = new Set(events.flatMap((e) => (e.kind === 'retract' ? e.ids : [])));
  return events.flatMap((e) => (e.kind === 'msg' && !retracted.has(e.message.id) ? [e.message] : []));
}

const published = (events: BusEvent[]): Message[] => events.flatMap((e) => (e.kind === 'msg' ? [e.message] : []));

/** Waits (bounded: 10 s) until `check` holds. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function runBrokerContract(name: string, createHarness: () => Promise<BrokerHarness>, options: BrokerContractOptions): void {
  const whenShared = options.shared ? test : (): void => undefined;
  describe(`Broker contract: ${name}`, () => {
    let harness: BrokerHarness;
    let gateway: OpenBroker;
    let s: string;

    beforeEach(async () => {
      harness = await createHarness();
      gateway = await harness.open();
      s = `broker-${randomUUID()}`;
    });
    afterEach(async () => {
      await gateway.close();
      await harness.cleanup();
    });

    describe('order', () => {
      test('seqs count up from 1 per stream, in acceptance order', async () => {
        const other = `broker-${randomUUID()}`;
        const seqs: number[] = [];
        for (const stream of [s, s, other, s, other]) seqs.push((await gateway.broker.publish(draft(stream, 'hi'), false)).seq);
        assert.deepEqual(seqs, [1, 2, 1, 3, 2]);
      });

      test('concurrent publishes, the very first included, get distinct consecutive seqs and go live in seq order', async () => {
        const events = await watch(gateway.bus, s);
        const messages = await Promise.all(oneTo(200).map((i) => gateway.broker.publish(draft(s, `m${i}`), false)));
        assert.deepEqual(seqsOf(messages).sort((a, b) => a - b), oneTo(200));
        await eventually(() => published(events).length === 200, 'every message live');
        assert.deepEqual(seqsOf(published(events)), oneTo(200));
      });

      test('the stamped message is the draft with its seq', async () => {
        const sent = draft(s, 'hello');
        sent.emotes = [{ name: 'Kappa', start: 0, end: 4 }];
        const message = await gateway.broker.publish(sent, false);
        const origin = options.origin === undefined ? {} : { origin: options.origin };
        assert.deepEqual(message, { ...sent, seq: 1, ...origin });
        assert.deepEqual(Object.keys(message), ['id', 'stream', 'seq', 'ts', 'user', 'text', 'emotes', ...Object.keys(origin)], 'fields in PROTOCOL.md order');
        assert.deepEqual(await gateway.stored.message(s, message.id), message, 'stored as stamped');
      });

      whenShared('two gateways publishing to one stream: distinct seqs, one order on every bus', async () => {
        const second = await harness.open();
        try {
          const [eventsA, eventsB] = await Promise.all([watch(gateway.bus, s), watch(second.bus, s)]);
          const messages = await Promise.all(oneTo(200).map((i) => (i % 2 === 0 ? gateway : second).broker.publish(draft(s, `m${i}`), false)));
          assert.deepEqual(seqsOf(messages).sort((a, b) => a - b), oneTo(200));
          for (const events of [eventsA, eventsB]) {
            await eventually(() => published(events).length === 200, 'every message live');
            assert.deepEqual(seqsOf(published(events)), oneTo(200));
          }
        } finally {
          await second.close();
        }
      });

      test('after a restart that lost the counters, seqs continue above every stored one', async () => {
        for (let i = 0; i < 3; i++) await gateway.broker.publish(draft(s, `m${i}`), false);
        await gateway.close();
        await harness.loseCounters();
        gateway = await harness.open();
        const next = await Promise.all(oneTo(20).map(() => gateway.broker.publish(draft(s, 'after'), false)));
        const seqs = seqsOf(next).sort((a, b) => a - b);
        assert.ok(seqs[0]! > 3, `restarted at ${seqs[0]}`);
        assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'distinct and consecutive');
        assert.deepEqual(seqsOf((await gateway.broker.latest(s, 30)).messages), [1, 2, 3, ...seqs]);
      });
    });

    describe('ack after durable', () => {
      test('a publish resolves only once the log holds the message', async () => {
        const checks = oneTo(50).map(async (i) => {
          const message = await gateway.broker.publish(draft(s, `m${i}`), i % 5 === 0);
          // Read at once, from the durable log alone: no window or cache in front of it.
          assert.deepEqual(await gateway.stored.message(s, message.id), message);
          assert.ok((await gateway.stored.lastSeq(s)) >= message.seq);
        });
        await Promise.all(checks);
      });
    });

    describe('sampling', () => {
      test('a sampled message takes a seq and is stored, but never goes live or into history', async () => {
        const events = await watch(gateway.bus, s);
        const a = await gateway.broker.publish(draft(s, 'a'), false);
        const b = await gateway.broker.publish(draft(s, 'sampled'), true);
        const c = await gateway.broker.publish(draft(s, 'c'), false);
        assert.deepEqual([a.seq, b.seq, c.seq], [1, 2, 3]);
        await eventually(() => published(events).length === 2, 'the displayable messages live');
        assert.deepEqual(seqsOf(published(events)), [1, 3]);
        assert.deepEqual(seqsOf((await gateway.broker.latest(s, 10)).messages), [1, 3]);
        assert.equal((await gateway.broker.latest(s, 10)).lastSeq, 3);
        assert.deepEqual(seqsOf(await gateway.broker.range(s, 0, Date.now() + 1, 10, true)), [1, 2, 3], 'moderator replay has it');
      });
    });

    describe('atomicity', () => {
      test('a publish the log refuses rejects, is not left shown or stored, and holds back nothing after it', async () => {
        const events = await watch(gateway.bus, s);
        const a = await gateway.broker.publish(draft(s, 'a'), false);
        gateway.failAppends(true);
        const refused = draft(s, 'refused');
        await assert.rejects(gateway.broker.publish(refused, false));
        gateway.failAppends(false);
        const c = await gateway.broker.publish(draft(s, 'c'), false);
        assert.ok(c.seq > a.seq);
        // The embedded broker never shows it; the cluster broker shows it at once and retracts it (`unstored`).
        const settled = (): boolean =>
          shown(events).some((m) => m.id === c.id) &&
          (!published(events).some((m) => m.id === refused.id) || events.some((e) => e.kind === 'retract' && e.ids.includes(refused.id)));
        await eventually(settled, 'the later message live and the refused one retracted if it was shown');
        assert.deepEqual(shown(events).map((m) => m.id), [a.id, c.id]);
        for (const event of events) if (event.kind === 'retract') assert.equal(event.reason, 'unstored');
        assert.deepEqual((await gateway.broker.latest(s, 10)).messages.map((m) => m.id), [a.id, c.id]);
        assert.equal(await gateway.stored.message(s, refused.id), undefined);
      });

      test('a sampled publish the log refuses rejects and leaves no trace on the bus: it was never shown', async () => {
        const events = await watch(gateway.bus, s);
        gateway.failAppends(true);
        await assert.rejects(gateway.broker.publish(draft(s, 'sampled'), true));
        gateway.failAppends(false);
        const after = await gateway.broker.publish(draft(s, 'after'), false);
        await eventually(() => published(events).length === 1, 'the next message live');
        assert.deepEqual(events, [{ kind: 'msg', message: after }], 'no retraction of what nobody saw');
      });
    });

    describe('history', () => {
      test('latest, since and range read what was published', async () => {
        const messages: Message[] = [];
        for (let i = 1; i <= 5; i++) messages.push(await gateway.broker.publish(draft(s, `m${i}`), false));
        assert.deepEqual(await gateway.broker.latest(s, 2), { messages: messages.slice(3), lastSeq: 5 });
        assert.deepEqual(await gateway.broker.since(s, 2, 10), { messages: messages.slice(2), lastSeq: 5 });
        assert.deepEqual(await gateway.broker.since(s, 0, 2), { messages: messages.slice(0, 2), lastSeq: 5 });
        assert.deepEqual(await gateway.broker.range(s, messages[0]!.ts, Date.now() + 1, 10, false), messages);
        assert.deepEqual(await gateway.broker.latest(`broker-${randomUUID()}`, 10), { messages: [], lastSeq: 0 });
      });

      // Joins, resumes, resyncs and HTTP polling read here. The cluster harness keeps a window smaller
      // than this stream, so these reads cross from the window in front of the log into the log.
      test('latest and since are oldest first, bounded, resume after any seq, and cross any window in front of the log', async () => {
        const displayable: number[] = [];
        for (let i = 1; i <= 90; i++) {
          const sampled = i % 10 === 0;
          await gateway.broker.publish(draft(s, `m${i}`), sampled);
          if (!sampled) displayable.push(i);
        }
        assert.deepEqual(seqsOf((await gateway.broker.latest(s, 60)).messages), displayable.slice(-60));
        assert.deepEqual(seqsOf((await gateway.broker.latest(s, 1_000)).messages), displayable);
        assert.deepEqual(await gateway.broker.latest(s, 0), { messages: [], lastSeq: 90 });
        const resumed: number[] = [];
        for (let after = 0, pages = 0; pages < 100; pages++) {
          const page = await gateway.broker.since(s, after, 7);
          assert.ok(page.messages.length <= 7, 'a page holds at most its limit');
          assert.equal(page.lastSeq, 90);
          if (page.messages.length === 0) break;
          resumed.push(...seqsOf(page.messages));
          after = page.messages.at(-1)!.seq;
        }
        assert.deepEqual(resumed, displayable, 'paging with since reads every displayable message once, in order');
        assert.deepEqual(seqsOf((await gateway.broker.since(s, 45, 3)).messages), [46, 47, 48]);
        assert.deepEqual(seqsOf((await gateway.broker.since(s, 88, 10)).messages), [89]);
        // Polling past the newest seq (a cursor from before a restart) is told where the stream stands.
        assert.deepEqual(await gateway.broker.since(s, 90, 10), { messages: [], lastSeq: 90 });
        assert.deepEqual(await gateway.broker.since(s, 5_000, 10), { messages: [], lastSeq: 90 });
      });

      test('lastSeq is the newest seq published, sampled ones included; 0 for an unknown stream', async () => {
        assert.equal(await gateway.broker.lastSeq(s), 0);
        await gateway.broker.publish(draft(s, 'a'), false);
        assert.equal(await gateway.broker.lastSeq(s), 1);
        await gateway.broker.publish(draft(s, 'sampled'), true);
        assert.equal(await gateway.broker.lastSeq(s), 2);
        assert.equal(await gateway.broker.lastSeq(`broker-${randomUUID()}`), 0);
      });

      test('range is from-inclusive, to-exclusive, oldest first, limited from the oldest, sampled only when asked', async () => {
        // A second apart, within every log's retention.
        const base = Date.now() - 60_000;
        const ts = (seq: number): number => base + seq * 1_000;
        for (let seq = 1; seq <= 10; seq++) await gateway.broker.publish({ ...draft(s, `m${seq}`), ts: ts(seq) }, seq === 6);
        assert.deepEqual(seqsOf(await gateway.broker.range(s, ts(3), ts(8), 100, false)), [3, 4, 5, 7]);
        assert.deepEqual(seqsOf(await gateway.broker.range(s, ts(3), ts(8), 100, true)), [3, 4, 5, 6, 7]);
        assert.deepEqual(seqsOf(await gateway.broker.range(s, ts(3), ts(8), 2, true)), [3, 4]);
        assert.deepEqual(seqsOf(await gateway.broker.range(s, ts(3), ts(3) + 1, 100, false)), [3]);
        assert.deepEqual(await gateway.broker.range(s, ts(3), ts(3), 100, true), []);
        assert.deepEqual(await gateway.broker.range(s, ts(11), ts(20), 100, true), []);
      });
    });
  });
}
