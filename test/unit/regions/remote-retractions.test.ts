// A peer's retractions applied here, on the embedded log and bus (the real ones):
// found lines go at once, a line not here yet goes when it arrives, within the wait.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusEvent } from '../../../src/bus/bus.ts';
import { MemoryBus } from '../../../src/bus/memory-bus.ts';
import type { LoggedMessage } from '../../../src/log/log.ts';
import { SqliteLog } from '../../../src/log/sqlite-log.ts';
import { RemoteRetractions } from '../../../src/regions/remote-retractions.ts';

let dir: string;
let log: SqliteLog;
let bus: MemoryBus;
let events: BusEvent[];
let clock: number;
let retractions: RemoteRetractions;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-remote-retractions-'));
  log = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 1_000 });
  bus = new MemoryBus();
  events = [];
  await bus.subscribe('s', (_stream, event) => events.push(event));
  clock = 1_000_000;
  retractions = new RemoteRetractions({ log, bus, retryMs: 20, keepMs: 5_000, maxWaiting: 3, now: () => clock, onError: (err) => assert.fail(err as Error) });
});

afterEach(async () => {
  retractions.close();
  await bus.close();
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const line = (seq: number): LoggedMessage => ({ message: { id: `id${seq}`, stream: 's', seq, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text: `t${seq}` }, sampled: false });
const retracts = (): string[][] => events.flatMap((e) => (e.kind === 'retract' ? [e.ids] : []));

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await sleep(10);
  assert.ok(await check());
}

test('a line that is here is retracted and announced with the peer\'s reason at once', async () => {
  await log.append([line(1), line(2)]);
  await retractions.retract('s', ['id1'], 'deleted');
  assert.deepEqual((await log.latest('s', 10)).messages.map((m) => m.id), ['id2']);
  assert.deepEqual(events, [{ kind: 'retract', ids: ['id1'], reason: 'deleted' }]);
  assert.equal(retractions.waiting, 0);
});

test('a ban\'s lines (no reason) go silently', async () => {
  await log.append([line(1)]);
  await retractions.retract('s', ['id1'], undefined);
  assert.deepEqual((await log.latest('s', 10)).messages, []);
  assert.deepEqual(events, []);
});

test('a line that arrives after its retraction is retracted when it comes', async () => {
  await retractions.retract('s', ['id1'], 'flagged');
  assert.equal(retractions.waiting, 1);
  await log.append([line(1)]);
  await until(() => retractions.waiting === 0);
  assert.deepEqual((await log.latest('s', 10)).messages, []);
  assert.deepEqual(retracts(), [['id1']]);
});

test('a wait ends after keepMs, and at most maxWaiting ids wait (the oldest given up)', async () => {
  await retractions.retract('s', ['a', 'b', 'c', 'd'], 'deleted');
  assert.equal(retractions.waiting, 3);
  await log.append([{ ...line(1), message: { ...line(1).message, id: 'a' } }]);
  await sleep(100);
  assert.deepEqual((await log.latest('s', 10)).messages.map((m) => m.id), ['a'], 'a was given up');
  clock += 5_000;
  await until(() => retractions.waiting === 0);
  await log.append([{ ...line(2), message: { ...line(2).message, id: 'b' } }]);
  await sleep(100);
  assert.deepEqual((await log.latest('s', 10)).messages.map((m) => m.id), ['a', 'b'], 'b waited past keepMs');
});
