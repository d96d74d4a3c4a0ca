// The contract every report queue passes (SQLite embedded, a Kafka topic in
// cluster mode). Each test opens fresh storage; `open` may be called again
// after `close` to simulate a restart.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ReportQueueFull, type NewReport, type ReportQueue } from '../../src/reports/report-queue.ts';

export interface ReportQueueHarness {
  open(bounds: { maxPerStream: number; maxTotal: number }): Promise<ReportQueue>;
  cleanup(): Promise<void>;
}

function report(stream: string, messageId: string, reporter = 'r1', ts = 1000): NewReport {
  return { stream, messageId, reason: `about ${messageId}`, reporter: { id: reporter, name: reporter }, ts };
}

export function runReportQueueContract(name: string, createHarness: () => Promise<ReportQueueHarness>): void {
  describe(`ReportQueue contract: ${name}`, () => {
    let harness: ReportQueueHarness;
    let queue: ReportQueue;

    beforeEach(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      await queue.close();
      await harness.cleanup();
    });

    test('newest first per stream, duplicates merged, dismissed once, kept across a reopen', async () => {
      queue = await harness.open({ maxPerStream: 100, maxTotal: 100 });
      const first = await queue.add(report('s', 'm1', 'r1', 1));
      await queue.add(report('s', 'm2', 'r1', 2));
      await queue.add(report('other', 'm1', 'r1', 3));
      assert.equal((await queue.add(report('s', 'm1', 'r1', 4))).id, first.id);
      assert.notEqual((await queue.add(report('s', 'm1', 'r2', 5))).id, first.id);
      assert.deepEqual((await queue.list('s', 10)).map((r) => [r.messageId, r.reporter.id]), [['m1', 'r2'], ['m2', 'r1'], ['m1', 'r1']]);
      assert.equal((await queue.list('s', 1)).length, 1);
      assert.equal(await queue.dismiss('other', first.id), false); // another stream's id space
      assert.equal(await queue.dismiss('s', first.id), true);
      assert.equal(await queue.dismiss('s', first.id), false);
      await queue.close();
      queue = await harness.open({ maxPerStream: 100, maxTotal: 100 });
      assert.deepEqual((await queue.list('s', 10)).map((r) => r.messageId), ['m1', 'm2']);
      assert.deepEqual(await queue.list('nobody', 10), []);
    });

    test('reports are bounded: a stream keeps its newest, and a full queue refuses', async () => {
      const bounds = { maxPerStream: 3, maxTotal: 5 };
      queue = await harness.open(bounds);
      for (let i = 1; i <= 5; i++) await queue.add(report('a', `m${i}`, 'r', i));
      assert.deepEqual((await queue.list('a', 10)).map((r) => r.messageId), ['m5', 'm4', 'm3']);
      await queue.add(report('b', 'm1', 'r', 6));
      await queue.add(report('b', 'm2', 'r', 7));
      // 3 + 2 = 5 pending: the total bound.
      await assert.rejects(queue.add(report('c', 'm1', 'r', 8)), ReportQueueFull);
      // The bound counts what is stored, also after a reopen.
      await queue.close();
      queue = await harness.open(bounds);
      await assert.rejects(queue.add(report('c', 'm1', 'r', 8)), ReportQueueFull);
      const [newest] = await queue.list('b', 1);
      assert.equal(await queue.dismiss('b', newest!.id), true);
      await queue.add(report('c', 'm1', 'r', 9));
    });
  });
}
