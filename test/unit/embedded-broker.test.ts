// EmbeddedBroker decisions the broker contract does not reach: the order of
// publication when appends finish out of order (a slow store), and a bus
// that fails after the message is stored. Real SQLite log and memory bus;
// faults only on the calls that must be slow or fail.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Draft } from '../../src/broker/broker.ts';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import type { Bus, BusEvent } from '../../src/bus/bus.ts';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import type { DurableLog, LoggedMessage } from '../../src/log/log.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { withFaults, type SeamFaults } from '../support/seam-faults.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

const S = 'room';

function draft(text: string): Draft {
  return { id: `id-${text}`, stream: S, ts: Date.now(), user: { id: 'u1', name: 'u1', badges: [] }, text };
}

interface Parts {
  broker: EmbeddedBroker;
  log: SeamFaults<DurableLog>;
  bus: SeamFaults<Bus>;
  live: BusEvent[];
  publishErrors: unknown[];
}

async function open(t: TestContext): Promise<Parts> {
  const dir = tempDir('chorus-broker-');
  const sqlite = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 1_000 });
  const memoryBus = new MemoryBus();
  t.after(async () => {
    await memoryBus.close();
    await sqlite.close();
    removeDir(dir);
  });
  const log = withFaults<DurableLog>(sqlite);
  const bus = withFaults<Bus>(memoryBus);
  const publishErrors: unknown[] = [];
  const live: BusEvent[] = [];
  await memoryBus.subscribe(S, (_stream, event) => live.push(event));
  return { broker: new EmbeddedBroker(log.seam, bus.seam, { onPublishError: (err) => publishErrors.push(err) }), log, bus, live, publishErrors };
}

/** Appends wait here, each until the test lets it reach the store or fail. */
function slowStore(log: SeamFaults<DurableLog>): Array<{ store(): void; fail(): void }> {
  const waiting: Array<{ store(): void; fail(): void }> = [];
  log.replace('append', (append) => (entries: LoggedMessage[]) => new Promise((resolve, reject) => {
    waiting.push({
      store: () => void (append as (e: LoggedMessage[]) => Promise<void>)(entries).then(resolve, reject),
      fail: () => reject(new Error('disk full')),
    });
  }));
  return waiting;
}

const liveSeqs = (events: BusEvent[]): number[] => events.flatMap((e) => (e.kind === 'msg' ? [e.message.seq] : []));

test('a message stored before an earlier one waits for it: the bus carries seq order, never a later seq first', async (t) => {
  const parts = await open(t);
  const waiting = slowStore(parts.log);
  const first = parts.broker.publish(draft('first'), false);
  const second = parts.broker.publish(draft('second'), false);
  await until(() => waiting.length === 2, 'both appends under way');
  waiting[1]!.store();
  assert.equal((await second).seq, 2, 'acked once stored');
  assert.deepEqual(liveSeqs(parts.live), [], 'not live before seq 1 is settled');
  waiting[0]!.store();
  assert.equal((await first).seq, 1);
  await until(() => liveSeqs(parts.live).length === 2, 'both live');
  assert.deepEqual(liveSeqs(parts.live), [1, 2]);
});

test('an earlier message the store refuses holds back nothing after it and never goes live', async (t) => {
  const parts = await open(t);
  const waiting = slowStore(parts.log);
  const refused = parts.broker.publish(draft('refused'), false);
  const later = parts.broker.publish(draft('later'), false);
  await until(() => waiting.length === 2, 'both appends under way');
  waiting[1]!.store();
  await later;
  waiting[0]!.fail();
  await assert.rejects(refused, /disk full/);
  await until(() => liveSeqs(parts.live).length === 1, 'the later message live');
  assert.deepEqual(liveSeqs(parts.live), [2]);
  parts.log.restore('append');
  assert.equal((await parts.broker.publish(draft('next'), false)).seq, 3, 'the refused seq stays a gap');
});

test('a bus that fails after the message is stored: the publish still resolves, the failure is reported, history has it', async (t) => {
  const parts = await open(t);
  const down = new Error('bus down');
  parts.bus.fail('publish', down);
  const message = await parts.broker.publish(draft('stored'), false);
  await until(() => parts.publishErrors.length === 1, 'the failure reported');
  assert.equal(parts.publishErrors[0], down);
  assert.deepEqual((await parts.broker.since(S, 0, 10)).messages, [message]);
  parts.bus.restore('publish');
  await parts.broker.publish(draft('after'), false);
  await until(() => liveSeqs(parts.live).length === 1, 'the next message live');
  assert.deepEqual(liveSeqs(parts.live), [2]);
});
