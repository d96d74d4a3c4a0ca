// What SqliteLogTail does beyond the LogTail contract: positions keep growing
// when retention empties the messages table (SQLite alone would reuse rowids).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LoggedMessage } from '../../src/log/log.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { SqliteLogTail } from '../../src/log/sqlite-log-tail.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

function entry(seq: number, ts: number): LoggedMessage {
  return { message: { id: `s-${seq}`, stream: 's', seq, ts, user: { id: 'u', name: 'u', badges: [] }, text: `m${seq}` }, sampled: false };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a group that read everything still gets new messages after retention emptied the log and the server restarted', async () => {
  const dir = tempDir();
  const path = join(dir, 'chorus.db');
  // Messages live half a second: long enough to be consumed, short enough to watch retention empty the table.
  const open = () => SqliteLog.open({ path, retentionMs: 500, maxMessagesPerStream: 1000, pruneIntervalMs: 50 });
  let log = await open();
  let tail = new SqliteLogTail(log, { pollMs: 10, retryMs: 10 });
  try {
    const seen: number[] = [];
    const handler = async (records: readonly LoggedMessage[]): Promise<void> => {
      seen.push(...records.map((r) => r.message.seq));
    };
    const consumer = tail.consume({ group: 'g', handler, maxBatch: 10, startAt: 'earliest', onError: (e) => assert.fail(String(e)) });
    await log.append([1, 2, 3].map((seq) => entry(seq, Date.now())));
    await eventually(() => seen.length === 3, 'the old messages');
    await consumer.stop();
    // Retention removes all three: the table is empty.
    const deadline = Date.now() + 5_000;
    while ((await log.range('s', 0, Number.MAX_SAFE_INTEGER, 10, true)).length > 0) {
      assert.ok(Date.now() < deadline, 'retention ran');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await tail.close();
    await log.close();

    log = await open();
    tail = new SqliteLogTail(log, { pollMs: 10, retryMs: 10 });
    tail.consume({ group: 'g', handler, maxBatch: 10, startAt: 'earliest', onError: (e) => assert.fail(String(e)) });
    await log.append([entry(4, Date.now()), entry(5, Date.now())]);
    await eventually(() => seen.length === 5, 'the new messages');
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  } finally {
    await tail.close();
    await log.close();
    removeDir(dir);
  }
});
