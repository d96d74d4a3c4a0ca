import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, failedStart, spawnServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// Two embedded servers on one data directory would both write its SQLite log:
// the second must refuse to start, and a lock left by a killed server must not.

test('a second server on the same data directory refuses to start; the first keeps working', async () => {
  const dataDir = tempDir();
  const args = ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  try {
    const first = await spawnServer(args);
    try {
      const refusal = await failedStart(args);
      assert.match(refusal, /exited with 1/);
      assert.match(refusal, new RegExp(`data directory ${dataDir} is in use by another Chorus server \\(pid ${first.child.pid}\\)`));
      assert.match(refusal, /--data-dir/);
      const c = await chatter(first, 'caster', { lock: ['broadcaster'] }, 'lock');
      for (let i = 0; i < 3; i++) assert.equal((await c.request({ type: 'send', stream: 'lock', text: `still mine ${i}` })).type, 'ack');
      c.close();
      assert.equal((await fetch(`${first.url}/readyz`)).status, 200);
    } finally {
      await first.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});

test('a server killed without cleaning up leaves no lock behind', async () => {
  const dataDir = tempDir();
  const args = ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  try {
    const killed = await spawnServer(args);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const next = await spawnServer(args);
    try {
      const c = await chatter(next, 'caster', { after: ['broadcaster'] }, 'after');
      assert.equal((await c.request({ type: 'send', stream: 'after', text: 'the directory is mine now' })).type, 'ack');
      c.close();
    } finally {
      await next.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});
