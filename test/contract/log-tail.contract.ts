// The contract every log tail passes (SQLite now; a Kafka consumer group
// later). Tests use their own streams and groups and look only at their own
// streams' records, so they also hold on a shared topic with other traffic.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DurableLog, LoggedMessage } from '../../src/log/log.ts';
import type { LogTail, TailConsumer, TailConsumerOptions, TailHandler } from '../../src/log/log-tail.ts';

export interface TailStorage {
  log: DurableLog;
  tail: LogTail;
}

/** One storage; `open` may be called again after `close` of the previous one, to simulate a restart. Retries after a failed batch must come within a second. */
export interface TailHarness {
  open(): Promise<TailStorage>;
  cleanup(): Promise<void>;
}

const WAIT_MS = 15_000;

function entry(stream: string, seq: number, sampled = false): LoggedMessage {
  return { message: { id: `${stream}-${seq}`, stream, seq, ts: Date.now(), user: { id: 'u1', name: 'u1', badges: [] }, text: `text ${seq}` }, sampled };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What one consumer received of the streams a test watches: seqs per stream, and every batch size. */
class Received {
  readonly seqs = new Map<string, number[]>();
  readonly batchSizes: number[] = [];
  readonly sampled = new Set<string>();
  readonly #streams: Set<string>;

  constructor(...streams: string[]) {
    this.#streams = new Set(streams);
  }

  readonly handler: TailHandler = async (records) => this.take(records);

  take(records: readonly LoggedMessage[]): void {
    this.batchSizes.push(records.length);
    for (const { message, sampled } of records) {
      if (!this.#streams.has(message.stream)) continue;
      let list = this.seqs.get(message.stream);
      if (list === undefined) this.seqs.set(message.stream, (list = []));
      list.push(message.seq);
      if (sampled) this.sampled.add(message.id);
    }
  }

  of(stream: string): number[] {
    return this.seqs.get(stream) ?? [];
  }
}

export function runLogTailContract(name: string, createHarness: () => Promise<TailHarness>): void {
  describe(`LogTail contract: ${name}`, () => {
    let harness: TailHarness;
    let storage: TailStorage;
    let s: string;
    let other: string;
    let group: string;
    const errors: unknown[] = [];

    beforeEach(async () => {
      harness = await createHarness();
      storage = await harness.open();
      s = `tail-${randomUUID()}`;
      other = `tail-${randomUUID()}`;
      group = `group-${randomUUID()}`;
      errors.length = 0;
    });
    afterEach(async () => {
      await storage.tail.close();
      await storage.log.close();
      await harness.cleanup();
    });

    function consume(options: Partial<TailConsumerOptions> & Pick<TailConsumerOptions, 'handler'>): TailConsumer {
      return storage.tail.consume({ group, maxBatch: 100, startAt: 'earliest', onError: (error) => errors.push(error), ...options });
    }

    async function append(stream: string, seqs: number[], sampled = false): Promise<void> {
      for (const seq of seqs) await storage.log.append([entry(stream, seq, sampled)]);
    }

    test('a group receives every message in order per stream, in bounded batches, sampled ones flagged', async () => {
      await append(s, range(1, 4));
      await append(other, range(1, 3));
      await append(s, [5], true);
      await append(s, range(6, 10));
      const received = new Received(s, other);
      consume({ handler: received.handler, maxBatch: 3 });
      await eventually(() => received.of(s).length >= 10 && received.of(other).length >= 3, 'every message');
      assert.deepEqual(received.of(s), range(1, 10));
      assert.deepEqual(received.of(other), range(1, 3));
      assert.deepEqual([...received.sampled], [`${s}-5`]);
      assert.ok(received.batchSizes.every((size) => size >= 1 && size <= 3), `batch sizes ${received.batchSizes.join(',')}`);
      assert.deepEqual(errors, []);
    });

    test('messages appended while a group consumes reach it too', async () => {
      const received = new Received(s);
      const consumer = consume({ handler: received.handler });
      await consumer.ready();
      await append(s, range(1, 5));
      await eventually(() => received.of(s).length >= 5, 'live messages');
      assert.deepEqual(received.of(s), range(1, 5));
    });

    test('each group receives every message, independently of the others', async () => {
      await append(s, range(1, 6));
      const first = new Received(s);
      const second = new Received(s);
      consume({ handler: first.handler, group: `${group}-a` });
      consume({ handler: second.handler, group: `${group}-b` });
      await eventually(() => first.of(s).length >= 6 && second.of(s).length >= 6, 'both groups');
      assert.deepEqual(first.of(s), range(1, 6));
      assert.deepEqual(second.of(s), range(1, 6));
    });

    test('a group that starts at latest skips what was there before it was ready', async () => {
      await append(s, range(1, 3));
      const received = new Received(s);
      const consumer = consume({ handler: received.handler, startAt: 'latest' });
      await consumer.ready();
      await append(s, range(4, 5));
      await eventually(() => received.of(s).length >= 2, 'new messages');
      assert.deepEqual(received.of(s), [4, 5]);
    });

    test('a committed position survives a restart: the group resumes after it', async () => {
      await append(s, range(1, 5));
      const before = new Received(s);
      const consumer = consume({ handler: before.handler });
      await eventually(() => before.of(s).length >= 5, 'the first five');
      await consumer.stop();
      await storage.tail.close();
      await storage.log.close();

      storage = await harness.open();
      await append(s, range(6, 8));
      const after = new Received(s);
      consume({ handler: after.handler });
      await eventually(() => after.of(s).length >= 3, 'the three after the restart');
      assert.deepEqual(before.of(s), range(1, 5));
      assert.deepEqual(after.of(s), range(6, 8));
    });

    test('a batch whose handler fails comes again (at least once), and the error is reported', async () => {
      await append(s, range(1, 4));
      const received = new Received(s);
      let failed = false;
      consume({
        maxBatch: 1,
        handler: async (records) => {
          if (!failed && records.some((r) => r.message.stream === s && r.message.seq === 3)) {
            failed = true;
            throw new Error('handler failed on purpose');
          }
          received.take(records);
        },
      });
      await eventually(() => received.of(s).length >= 4, 'every message after the retry');
      assert.deepEqual(received.of(s), range(1, 4));
      assert.ok(errors.some((e) => e instanceof Error && e.message === 'handler failed on purpose'));
    });

    test('a stuck consumer never holds up appends; it lags, and catches up once released', async () => {
      const received = new Received(s);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const consumer = consume({
        maxBatch: 10,
        handler: async (records) => {
          await released;
          received.take(records);
        },
      });
      await consumer.ready();
      // Every append resolves while the handler is stuck on the first batch.
      await append(s, range(1, 50));
      await eventually(async () => (await consumer.lag()) >= 50, 'lag of at least 50');
      assert.deepEqual(received.of(s), []);
      release();
      await eventually(() => received.of(s).length >= 50, 'the consumer to catch up');
      assert.deepEqual(received.of(s), range(1, 50));
      await eventually(async () => (await consumer.lag()) === 0, 'lag back to 0');
    });
  });
}
