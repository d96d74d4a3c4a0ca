import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';
import { tmiChatter } from '../support/irc-clients.ts';
import { chatter, devToken, spawnServer, type ChildServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

// A real backing-service fault: the log's disk fills up. Sends are refused with
// `unavailable` (never acknowledged and then lost), everyone else keeps being
// served, /readyz says the server cannot take writes, and sends succeed again
// once there is room. No client (WebSocket, HTTP, IRC) ever reads SQLite's own
// words: each gets a reference that the server's log has next to the real
// error. The data directory is a 4 MiB tmpfs, which needs root (CI on these
// machines runs as root).

const GENERIC = /^unavailable: backend error \(ref ([0-9a-f]{12})\)$/;
const LINE = 'x'.repeat(400);

/** The ref of a generic refusal text, after checking that the server logged the real error under it. */
async function refLogged(server: ChildServer, text: string, realError: RegExp): Promise<void> {
  const ref = GENERIC.exec(text)?.[1];
  assert.ok(ref !== undefined, `not a generic refusal: ${text}`);
  // The log line travels through the child's stdout, maybe behind the refusal.
  await until(() => server.output.some((line) => line.includes(ref)), `ref ${ref} in the server's log`, 5_000);
  assert.match(server.output.find((line) => line.includes(ref))!, realError);
}

test('a full disk refuses sends with a generic unavailable on every transport, turns /readyz 503, and recovers when space returns', async () => {
  const dir = tempDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  const server = await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--rate-limit-privileged-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '10000']);
  try {
    const c = await chatter(server, 'caster', { full: ['broadcaster'] }, 'full');
    const first = await c.request({ type: 'send', stream: 'full', text: 'before the disk fills' });
    assert.equal(first.type, 'ack');
    const irc = await tmiChatter(server, 'ircer', { full: ['moderator'] });
    await irc.client.join('#full');

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
      const answer = await c.request({ type: 'send', stream: 'full', text: `${i} ${LINE}` });
      if (answer.type === 'ack') acked.push(answer.seq);
      else refusal = answer;
    }
    assert.ok(refusal !== undefined, 'no send was refused on a full disk');
    assert.equal(refusal.code, 'unavailable');
    assert.ok(typeof refusal.retryAfterMs === 'number');
    await refLogged(server, refusal.message as string, /disk is full/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503, 'ready although the log cannot write');

    const { token } = await devToken(server.url, 'poster', { full: ['broadcaster'] });
    const posted = await apiCall(server.url, 'POST', '/api/streams/full/messages', token, { text: `http ${LINE}` });
    assert.equal(posted.status, 503);
    await refLogged(server, ((await posted.json()) as { message: string }).message, /disk is full/);

    // The report queue is its own SQLite file on the same disk: its failure is reported as itself.
    const reported = await apiCall(server.url, 'POST', '/api/streams/full/reports', token, { messageId: 'm1', reason: 'spam' });
    assert.equal(reported.status, 503);
    await refLogged(server, ((await reported.json()) as { message: string }).message, /disk is full/);

    await irc.client.say('#full', `irc ${LINE}`);
    const [, msgId, text] = await irc.events.next('notice', (channel: string, id: string) => channel === '#full' && id === 'msg_unavailable');
    assert.equal(msgId, 'msg_unavailable');
    const ircRef = /\(ref ([0-9a-f]{12})\)/.exec(text)?.[1];
    assert.ok(ircRef !== undefined, `no ref in the NOTICE: ${text}`);
    assert.doesNotMatch(text, /disk|sqlite/i);
    await refLogged(server, `unavailable: backend error (ref ${ircRef})`, /disk is full/);

    rmSync(filler);
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${server.url}/readyz`)).status !== 200) {
      assert.ok(Date.now() < deadline, '/readyz did not come back after the disk had room again');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = await c.request({ type: 'send', stream: 'full', text: 'room again' });
    assert.equal(after.type, 'ack', JSON.stringify(after));

    // Everything acknowledged before and after the fault is in the history.
    const v = await TestClient.connect(server.wsUrl);
    v.send({ type: 'join', stream: 'full', history: 500 });
    const history = (await v.next('joined')).history.map((m: { seq: number }) => m.seq);
    for (const seq of [...acked, after.seq]) assert.ok(history.includes(seq), `acknowledged seq ${seq} is missing`);
    c.close();
    v.close();
    await irc.client.disconnect();
  } finally {
    await server.stop();
    execFileSync('umount', [dir]);
    removeDir(dir);
  }
});
