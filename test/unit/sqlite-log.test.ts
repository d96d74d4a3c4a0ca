// What SqliteLog does beyond the DurableLog contract: retention, caps, the
// writer thread's failure modes, and sharing its file with the state tables.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, test } from 'node:test';
import type { LoggedMessage } from '../../src/log/log.ts';
import { SqliteLog, type SqliteLogOptions } from '../../src/log/sqlite-log.ts';
import { SqliteStatePersistence } from '../../src/state/sqlite-state-persistence.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-sqlite-log-'));
  path = join(dir, 'chorus.db');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function entry(seq: number, options: { stream?: string; ts?: number; user?: string } = {}): LoggedMessage {
  const stream = options.stream ?? 's';
  const user = options.user ?? 'u1';
  return { message: { id: `${stream}-${seq}`, stream, seq, ts: options.ts ?? Date.now(), user: { id: user, name: user, badges: [] }, text: `m${seq}` }, sampled: false };
}

const seqs = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function open(options: Partial<SqliteLogOptions> = {}): Promise<SqliteLog> {
  return SqliteLog.open({ path, retentionMs: 3_600_000, maxMessagesPerStream: 100_000, ...options });
}

/** Polls until `read` returns `expected` (the background prune runs on its own timer). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actual = await read();
    try {
      assert.deepEqual(actual, expected);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

// The writer-failure tests time out rather than hang if a rejection goes missing.

/** A writer module that says ready, then behaves as `onMessage` says (it runs as a real worker thread). */
function fakeWriter(onMessage: string): URL {
  const code = `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => { ${onMessage} });
parentPort.postMessage({ kind: 'ready' });`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

test('retention drops messages older than retentionMs, in chunks, and keeps the rest', async () => {
  const log = await open({ retentionMs: 60_000, pruneIntervalMs: 10 });
  try {
    const old = Date.now() - 120_000;
    // More old rows than one prune chunk, so the chunked delete must loop.
    await log.append(seqs(1, 5000).map((seq) => entry(seq, { ts: old })));
    await log.append(seqs(5001, 5003).map((seq) => entry(seq)));
    await eventually(async () => (await log.range('s', 0, Number.MAX_SAFE_INTEGER, 10_000, true)).map((m) => m.seq), [5001, 5002, 5003]);
    assert.equal(await log.lastSeq('s'), 5003);
  } finally {
    await log.close();
  }
});

test('lastSeq outlives retention, also across a restart, so seq never restarts at 1', async () => {
  let log = await open({ retentionMs: 60_000, pruneIntervalMs: 10 });
  try {
    await log.append(seqs(1, 3).map((seq) => entry(seq, { ts: Date.now() - 120_000 })));
    await eventually(async () => (await log.latest('s', 10)).messages.length, 0);
    assert.deepEqual(await log.latest('s', 10), { messages: [], lastSeq: 3 });
    await log.close();
    log = await open();
    assert.equal(await log.lastSeq('s'), 3);
  } finally {
    await log.close();
  }
});

test('a stream whose messages all expired leaves no row; its seq, and any new stream\'s, continue above every pruned one', async () => {
  const streamRows = (): number => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return Number((db.prepare('SELECT count(*) AS n FROM streams').get() as { n: number }).n);
    } finally {
      db.close();
    }
  };
  let log = await open({ retentionMs: 60_000, pruneIntervalMs: 10 });
  try {
    // One token posting once to each of many streams, long enough ago.
    const old = Date.now() - 120_000;
    await log.append(seqs(1, 500).map((seq) => entry(seq, { stream: `gone-${seq}`, ts: old })));
    await log.append(seqs(1, 2).map((seq) => entry(seq, { stream: 'live' })));
    await eventually(async () => streamRows(), 1);
    assert.equal(await log.lastSeq('live'), 2);
    for (const stream of ['gone-1', 'gone-500', 'never-seen']) assert.ok((await log.lastSeq(stream)) >= 500, stream);
    assert.ok((await log.latest('gone-500', 10)).lastSeq >= 500);
    await log.close();
    log = await open();
    assert.ok((await log.lastSeq('gone-500')) >= 500, 'after a restart');
    assert.equal(await log.lastSeq('live'), 2);
  } finally {
    await log.close();
  }
});

test('keeps at most maxMessagesPerStream messages per stream, the newest', async () => {
  const log = await open({ maxMessagesPerStream: 5, pruneIntervalMs: 10 });
  try {
    await log.append(seqs(1, 12).map((seq) => entry(seq)));
    await log.append(seqs(1, 3).map((seq) => entry(seq, { stream: 'small' })));
    await eventually(async () => (await log.since('s', 0, 100)).messages.map((m) => m.seq), seqs(8, 12));
    assert.deepEqual((await log.since('small', 0, 100)).messages.map((m) => m.seq), [1, 2, 3]);
  } finally {
    await log.close();
  }
});

test('retractUser retracts at most the newest `max` messages per call', async () => {
  const log = await open();
  const bounds = { sinceMs: 0, max: 1000 };
  try {
    await log.append(seqs(1, 1005).map((seq) => entry(seq, { user: 'spam' })));
    const first = await log.retractUser('s', 'spam', bounds);
    assert.equal(first.length, 1000);
    assert.deepEqual(first.slice(0, 2), ['s-6', 's-7']);
    assert.equal(first.at(-1), 's-1005');
    assert.deepEqual(await log.retractUser('s', 'spam', bounds), ['s-1', 's-2', 's-3', 's-4', 's-5']);
    assert.deepEqual(await log.retractUser('s', 'spam', bounds), []);
  } finally {
    await log.close();
  }
});

test('close commits every append already made, and later ones reject', async () => {
  let log = await open();
  const appends = seqs(1, 50).map((seq) => log.append([entry(seq)]));
  await log.close();
  await Promise.all(appends);
  await assert.rejects(log.append([entry(51)]), /closed/);
  await assert.rejects(log.retract('s', ['s-1']), /closed/);
  log = await open();
  try {
    assert.deepEqual((await log.since('s', 0, 100)).messages.map((m) => m.seq), seqs(1, 50));
  } finally {
    await log.close();
  }
});

test('a duplicate seq rejects only its own append, not the rest of the batch', async () => {
  const log = await open();
  try {
    await log.append([entry(1)]);
    const results = await Promise.allSettled([log.append([entry(2)]), log.append([entry(1)]), log.append([entry(3)])]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual((await log.latest('s', 10)).messages.map((m) => m.seq), [1, 2, 3]);
  } finally {
    await log.close();
  }
});

test('writes beyond maxPendingWrites are refused, not queued', async () => {
  const log = await open({ maxPendingWrites: 2 });
  try {
    const results = await Promise.allSettled(seqs(1, 5).map((seq) => log.append([entry(seq)])));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
    const refused = results[2] as PromiseRejectedResult;
    assert.match((refused.reason as Error).message, /too many/);
  } finally {
    await log.close();
  }
});

test('if the writer dies, pending and later writes reject instead of hanging', { timeout: 5000 }, async () => {
  // The real writer makes the file, so the reader has something to open.
  await (await open()).close();
  const log = await open({ writerUrl: fakeWriter('process.exit(7)') });
  const pending = [log.append([entry(1)]), log.append([entry(2)]), log.retractUser('s', 'u1', { sinceMs: 0, max: 1_000 })];
  for (const write of pending) await assert.rejects(write, /writer stopped \(exit code 7\)/);
  await assert.rejects(log.append([entry(3)]), /writer stopped/);
  await assert.rejects(log.retract('s', ['x']), /writer stopped/);
  // Reads still work from the file, but readiness says the log cannot write; close still completes.
  assert.equal(await log.lastSeq('s'), 0);
  await assert.rejects(log.checkWritable(), /writer stopped/);
  await log.close();
});

test('a writer that throws reports its error to pending writes', { timeout: 5000 }, async () => {
  await (await open()).close();
  const log = await open({ writerUrl: fakeWriter("throw new Error('disk on fire')") });
  await assert.rejects(log.append([entry(1)]), /disk on fire/);
  await log.close();
});

test('open rejects if the writer dies before it is ready', { timeout: 5000 }, async () => {
  const dead = new URL(`data:text/javascript,${encodeURIComponent('process.exit(3)')}`);
  await assert.rejects(open({ writerUrl: dead }), /exited with code 3/);
});

test('the state tables share the file with the log', async () => {
  let log = await open();
  let persistence = new SqliteStatePersistence(path);
  try {
    const appends = seqs(1, 100).map((seq) => log.append([entry(seq)]));
    persistence.saveModes('s', { ...DEFAULT_MODES, slowSeconds: 5, emoteOnly: true });
    persistence.saveBan('s', 'troll', { until: null });
    await Promise.all(appends);
  } finally {
    await log.close();
    persistence.close();
  }
  log = await open();
  persistence = new SqliteStatePersistence(path);
  try {
    assert.equal(await log.lastSeq('s'), 100);
    const loaded = persistence.load(Date.now());
    assert.deepEqual(loaded.modes.get('s'), { ...DEFAULT_MODES, slowSeconds: 5, emoteOnly: true });
    assert.deepEqual(loaded.bans.get('s')?.get('troll'), { until: null });
  } finally {
    await log.close();
    persistence.close();
  }
});
