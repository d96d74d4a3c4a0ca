// The embedded audit log deletes what retention and the per-stream bound
// drop, so its file stays bounded (the contract checks only what is read).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SqliteModlog } from '../../src/modlog/sqlite-modlog.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

test('entries past retention are deleted at the next append (at most once a minute), the oldest beyond maxPerStream at once', async (t) => {
  const dir = tempDir('chorus-modlog-');
  t.after(() => removeDir(dir));
  const path = join(dir, 'modlog.db');
  const clock = { now: 1_000_000 };
  const modlog = new SqliteModlog(path, { retentionMs: 3_600_000, maxPerStream: 2, now: () => clock.now });
  const rows = (): number => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM modlog').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const append = (stream: string) => modlog.append({ action: 'unpin', stream, ts: clock.now, seq: 0, actor: { id: 'm', name: 'mod' } });
  try {
    for (let i = 0; i < 3; i++) await append('a');
    await append('b');
    assert.equal(rows(), 3, 'a keeps its newest 2, b its 1');
    clock.now += 3_600_001;
    await append('c');
    assert.equal(rows(), 1, 'what retention dropped is gone from the file');
  } finally {
    await modlog.close();
  }
});
