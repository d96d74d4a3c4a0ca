// The contract every durable log passes (SQLite now; Kafka later).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DurableLog, LoggedMessage } from '../../src/log/log.ts';
import type { Message } from '../../src/protocol/types.ts';

/** One empty storage; `open` may be called again after `close` to simulate a restart. */
export interface LogHarness {
  open(): Promise<DurableLog>;
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;
/** Bounds that take every message of the user. */
const ALL = { sinceMs: 0, max: 1_000 };

function message(stream: string, seq: number, options: { user?: string; ts?: number } = {}): Message {
  const user = options.user ?? 'u1';
  return { id: `${stream}-${seq}`, stream, seq, ts: options.ts ?? T0 + seq * 1000, user: { id: user, name: `name-${user}`, badges: [] }, text: `text ${seq}` };
}

function entry(stream: string, seq: number, options: { user?: string; ts?: number; sampled?: boolean } = {}): LoggedMessage {
  return { message: message(stream, seq, options), sampled: options.sampled ?? false };
}

const seqsOf = (messages: Message[]): number[] => messages.map((m) => m.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function runLogContract(name: string, createHarness: () => Promise<LogHarness>): void {
  describe(`DurableLog contract: ${name}`, () => {
    let harness: LogHarness;
    let log: DurableLog;
    let s: string;
    let other: string;

    beforeEach(async () => {
      harness = await createHarness();
      log = await harness.open();
      s = `log-${randomUUID()}`;
      other = `log-${randomUUID()}`;
    });
    afterEach(async () => {
      await log.close();
      await harness.cleanup();
    });

    async function appendSeqs(stream: string, seqs: number[], options: { user?: string; sampled?: boolean } = {}): Promise<void> {
      await log.append(seqs.map((seq) => entry(stream, seq, options)));
    }

    test('an unknown stream has no messages and lastSeq 0', async () => {
      assert.deepEqual(await log.latest(s, 10), { messages: [], lastSeq: 0 });
      assert.deepEqual(await log.since(s, 0, 10), { messages: [], lastSeq: 0 });
      assert.deepEqual(await log.range(s, 0, Number.MAX_SAFE_INTEGER, 10, true), []);
      assert.equal(await log.lastSeq(s), 0);
    });

    test('a log whose writes work is writable (readiness)', async () => {
      await log.checkWritable();
      await appendSeqs(s, [1]);
      await log.checkWritable();
    });

    test('keeps messages intact, oldest first', async () => {
      const full: Message = {
        id: 'full-1',
        stream: s,
        seq: 1,
        ts: T0,
        user: { id: 'u7', name: 'Zoë', color: '#112233', badges: ['broadcaster', 'vip'] },
        text: 'héllo Kappa 👋',
        emotes: [{ name: 'Kappa', start: 6, end: 11 }],
      };
      await log.append([{ message: full, sampled: false }, entry(s, 2)]);
      const page = await log.latest(s, 10);
      assert.deepEqual(page.messages, [full, message(s, 2)]);
      assert.equal(page.lastSeq, 2);
    });

    test('latest returns the last `limit` displayable messages', async () => {
      await appendSeqs(s, range(1, 10));
      assert.deepEqual(seqsOf((await log.latest(s, 3)).messages), [8, 9, 10]);
      assert.deepEqual(seqsOf((await log.latest(s, 100)).messages), range(1, 10));
      assert.deepEqual(await log.latest(s, 0), { messages: [], lastSeq: 10 });
    });

    test('since returns messages after a seq, oldest first, and pages to the end', async () => {
      await appendSeqs(s, range(1, 10));
      assert.deepEqual(seqsOf((await log.since(s, 0, 4)).messages), [1, 2, 3, 4]);
      assert.deepEqual(seqsOf((await log.since(s, 7, 100)).messages), [8, 9, 10]);
      assert.deepEqual(await log.since(s, 10, 100), { messages: [], lastSeq: 10 });
      assert.deepEqual(await log.since(s, 3, 0), { messages: [], lastSeq: 10 });
      const seen: number[] = [];
      for (let after = 0; ; ) {
        const page = await log.since(s, after, 3);
        if (page.messages.length === 0) break;
        seen.push(...seqsOf(page.messages));
        after = page.messages.at(-1)!.seq;
      }
      assert.deepEqual(seen, range(1, 10));
    });

    test('sampled messages are stored but not displayable; lastSeq counts them', async () => {
      await appendSeqs(s, [1, 2]);
      await appendSeqs(s, [3, 4], { sampled: true });
      await appendSeqs(s, [5]);
      await appendSeqs(s, [6], { sampled: true });
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1, 2, 5]);
      // The limit counts displayable messages, not rows.
      assert.deepEqual(seqsOf((await log.latest(s, 2)).messages), [2, 5]);
      assert.deepEqual(await log.since(s, 2, 10), { messages: [message(s, 5)], lastSeq: 6 });
      assert.equal((await log.latest(s, 10)).lastSeq, 6);
      assert.equal(await log.lastSeq(s), 6);
    });

    test('range is from-inclusive, to-exclusive, limited, and shows sampled messages only when asked', async () => {
      await appendSeqs(s, range(1, 5));
      await appendSeqs(s, [6], { sampled: true });
      await appendSeqs(s, range(7, 10));
      const ts = (seq: number): number => T0 + seq * 1000;
      assert.deepEqual(seqsOf(await log.range(s, ts(3), ts(8), 100, false)), [3, 4, 5, 7]);
      assert.deepEqual(seqsOf(await log.range(s, ts(3), ts(8), 100, true)), [3, 4, 5, 6, 7]);
      assert.deepEqual(seqsOf(await log.range(s, ts(3), ts(8), 2, true)), [3, 4]);
      assert.deepEqual(seqsOf(await log.range(s, ts(3), ts(3) + 1, 100, true)), [3]);
      assert.deepEqual(await log.range(s, ts(3), ts(3), 100, true), []);
      assert.deepEqual(await log.range(s, ts(11), ts(20), 100, true), []);
      assert.deepEqual(await log.range(s, ts(1), ts(20), 0, true), []);
    });

    test('retract hides messages everywhere and returns only the ids it found in that stream', async () => {
      await appendSeqs(s, range(1, 5));
      await appendSeqs(other, [1]);
      const found = await log.retract(s, [`${s}-2`, `${s}-4`, 'no-such-id', `${other}-1`]);
      assert.deepEqual([...found].sort(), [`${s}-2`, `${s}-4`]);
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1, 3, 5]);
      assert.deepEqual(seqsOf((await log.since(s, 1, 10)).messages), [3, 5]);
      assert.deepEqual(seqsOf(await log.range(s, 0, Number.MAX_SAFE_INTEGER, 10, true)), [1, 3, 5]);
      // Retracting the newest message does not move lastSeq back.
      assert.deepEqual(await log.retract(s, [`${s}-5`]), [`${s}-5`]);
      assert.equal(await log.lastSeq(s), 5);
      assert.equal((await log.latest(s, 10)).lastSeq, 5);
      // The other stream's message was not touched.
      assert.deepEqual(seqsOf((await log.latest(other, 10)).messages), [1]);
      assert.deepEqual(await log.retract(s, []), []);
    });

    test("retractUser hides one user's messages in one stream and returns their ids", async () => {
      await log.append([entry(s, 1, { user: 'spam' }), entry(s, 2, { user: 'ok' }), entry(s, 3, { user: 'spam', sampled: true }), entry(s, 4, { user: 'spam' }), entry(other, 1, { user: 'spam' })]);
      const ids = await log.retractUser(s, 'spam', ALL);
      assert.deepEqual([...ids].sort(), [`${s}-1`, `${s}-3`, `${s}-4`]);
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [2]);
      assert.deepEqual(seqsOf(await log.range(s, 0, Number.MAX_SAFE_INTEGER, 10, true)), [2]);
      assert.deepEqual(seqsOf((await log.latest(other, 10)).messages), [1]);
      assert.deepEqual(await log.retractUser(s, 'nobody', ALL), []);
    });

    test("retractUser takes only the user's messages from `sinceMs` on, at most `max`, the newest", async () => {
      await log.append(range(1, 6).map((seq) => entry(s, seq, { user: 'spam' })));
      // ts is T0 + seq seconds: from seq 2 on, the newest three.
      const ids = await log.retractUser(s, 'spam', { sinceMs: T0 + 2_000, max: 3 });
      assert.deepEqual([...ids].sort(), [`${s}-4`, `${s}-5`, `${s}-6`]);
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1, 2, 3]);
      assert.deepEqual([...(await log.retractUser(s, 'spam', { sinceMs: T0 + 2_000, max: 3 }))].sort(), [`${s}-2`, `${s}-3`]);
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1]);
    });

    test('message finds one message by id (sampled, retracted); newestOf a user\'s newest (sampled, not retracted)', async () => {
      await log.append([entry(s, 1, { user: 'a' }), entry(s, 2, { user: 'b' }), entry(s, 3, { user: 'a', sampled: true }), entry(other, 4, { user: 'a' })]);
      assert.equal((await log.message(s, `${s}-2`))?.user.id, 'b');
      assert.equal((await log.message(s, `${s}-3`))?.seq, 3);
      assert.equal(await log.message(s, `${other}-4`), undefined);
      assert.equal(await log.message(s, 'no-such-id'), undefined);
      assert.equal((await log.newestOf(s, 'a'))?.seq, 3);
      assert.equal(await log.newestOf(s, 'nobody'), undefined);
      await log.retract(s, [`${s}-2`, `${s}-3`]);
      assert.equal((await log.message(s, `${s}-2`))?.seq, 2);
      assert.equal((await log.newestOf(s, 'a'))?.seq, 1);
    });

    test('one append may span streams, which stay independent', async () => {
      await log.append([entry(s, 1), entry(other, 1), entry(s, 2), entry(other, 2), entry(other, 3)]);
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1, 2]);
      assert.deepEqual(seqsOf((await log.latest(other, 10)).messages), [1, 2, 3]);
      assert.equal(await log.lastSeq(s), 2);
      assert.equal(await log.lastSeq(other), 3);
    });

    test('concurrent appends all resolve, and each is readable once it has', async () => {
      const appends = range(1, 300).map(async (seq) => {
        await log.append([entry(s, seq)]);
        const page = await log.since(s, seq - 1, 1);
        assert.deepEqual(seqsOf(page.messages), [seq], `seq ${seq} readable after its append resolved`);
      });
      await Promise.all(appends);
      assert.deepEqual(seqsOf((await log.since(s, 0, 1000)).messages), range(1, 300));
      assert.equal(await log.lastSeq(s), 300);
    });

    test('survives a restart: messages, retractions and lastSeq', async () => {
      await appendSeqs(s, range(1, 6));
      await appendSeqs(s, [7], { sampled: true });
      await log.retract(s, [`${s}-3`]);
      await log.close();
      log = await harness.open();
      assert.deepEqual(seqsOf((await log.latest(s, 10)).messages), [1, 2, 4, 5, 6]);
      assert.equal(await log.lastSeq(s), 7);
      assert.deepEqual(seqsOf(await log.range(s, 0, Number.MAX_SAFE_INTEGER, 10, true)), [1, 2, 4, 5, 6, 7]);
      await appendSeqs(s, [8]);
      assert.deepEqual(seqsOf((await log.since(s, 6, 10)).messages), [8]);
    });

    test('append after close rejects', async () => {
      await log.close();
      await assert.rejects(log.append([entry(s, 1)]));
      log = await harness.open();
      assert.equal(await log.lastSeq(s), 0);
    });
  });
}
