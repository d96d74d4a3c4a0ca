import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient } from '../support/ws-client.ts';
import { chatter, startTestServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// A real backing-service fault: the log's disk fills up. Sends are refused with
// `unavailable` (never acknowledged and then lost), everyone else keeps being
// served, and sends succeed again once there is room. The data directory is a
// 4 MiB tmpfs, which needs root (CI on these machines runs as root).

test('a full disk refuses sends with unavailable and recovers when space returns', async () => {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  const server = await startTestServer(['--rate-limit-privileged-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '10000'], dir);
  try {
    const c = await chatter(server, 'caster', { full: ['broadcaster'] }, 'full');
    assert.equal((await c.request({ type: 'send', stream: 'full', text: 'before the disk fills' })).type, 'ack');

    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < 1_000; i++) writeSync(fd, chunk);
      assert.fail('the 4 MiB tmpfs never filled');
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }

    const acked: number[] = [];
    let refusal: Record<string, unknown> | undefined;
    for (let i = 0; i < 2_000 && refusal === undefined; i++) {
      const answer = await c.request({ type: 'send', stream: 'full', text: `${i} ${'x'.repeat(400)}` });
      if (answer.type === 'ack') acked.push(answer.seq);
      else refusal = answer;
    }
    assert.ok(refusal !== undefined, 'no send was refused on a full disk');
    assert.equal(refusal.code, 'unavailable');
    assert.ok(typeof refusal.retryAfterMs === 'number');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    rmSync(filler);
    const after = await c.request({ type: 'send', stream: 'full', text: 'room again' });
    assert.equal(after.type, 'ack', JSON.stringify(after));

    // Everything acknowledged before and after the fault is in the history.
    const v = await TestClient.connect(server.wsUrl);
    v.send({ type: 'join', stream: 'full', history: 500 });
    const history = (await v.next('joined')).history.map((m: { seq: number }) => m.seq);
    for (const seq of [...acked, after.seq]) assert.ok(history.includes(seq), `acknowledged seq ${seq} is missing`);
    c.close();
    v.close();
  } finally {
    await server.stop();
    execFileSync('umount', [dir]);
    removeDir(dir);
  }
});
