import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../support/ws-client.ts';
import { devToken, spawnServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// The server as an operator runs it: a child process, SIGTERM, and a restart on the same data directory.

test('SIGTERM drains (reconnect, 1001, exit 0); history, seq, modes and bans continue after restart', async () => {
  const dataDir = tempDir();
  const args = ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir];
  try {
    const first = await spawnServer(args);
    const { token } = await devToken(first.url, 'alice', { r: ['broadcaster'] });
    const spammer = await devToken(first.url, 'spammer');
    const c = await TestClient.connect(first.wsUrl);
    c.send({ type: 'auth', token });
    await c.next('welcome');
    c.send({ type: 'join', stream: 'r' });
    await c.next('joined');
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await c.request({ type: 'send', stream: 'r', text: `before ${i}` }));
    await c.request({ type: 'mod', stream: 'r', action: 'modes', modes: { slowSeconds: 7 } });
    await c.request({ type: 'mod', stream: 'r', action: 'ban', user: spammer.user.id });

    first.child.kill('SIGTERM');
    const reconnect = await c.next('reconnect');
    assert.equal(typeof reconnect.afterMs, 'number');
    assert.equal((await c.closed).code, 1001);
    assert.equal(await first.exited, 0);

    const second = await spawnServer(args);
    try {
      const v = await TestClient.connect(second.wsUrl);
      v.send({ type: 'auth', token });
      await v.next('welcome');
      v.send({ type: 'join', stream: 'r', since: acks[1].seq });
      const joined = await v.next('joined');
      assert.deepEqual(joined.history.map((m: { text: string }) => m.text), ['before 2', 'before 3', 'before 4']);
      assert.equal(joined.seq, acks[4].seq);
      assert.equal(joined.state.modes.slowSeconds, 7);
      const ack = await v.request({ type: 'send', stream: 'r', text: 'after' });
      assert.equal(ack.seq, acks[4].seq + 1);

      const s = await TestClient.connect(second.wsUrl);
      s.send({ type: 'auth', token: spammer.token });
      await s.next('welcome');
      s.send({ type: 'join', stream: 'r' });
      await s.next('joined');
      assert.equal((await s.request({ type: 'send', stream: 'r', text: 'x' })).code, 'banned');
      v.close();
      s.close();
    } finally {
      await second.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});

test('bad configuration stops start-up with a clear message and a non-zero exit', async () => {
  await assert.rejects(spawnServer(['--port', 'eighty', '--dev']), (err: Error) => {
    assert.match(err.message, /exited with 2/);
    assert.match(err.message, /port \(--port, CHORUS_PORT\) from flags: must be an integer/);
    return true;
  });
});

test('sends racing a SIGTERM are each answered, and every acknowledged one survives the restart', async () => {
  const dataDir = tempDir();
  const args = ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--rate-limit-privileged-messages', '1000', '--rate-limit-user-messages', '1000', '--inbound-frames-per-second', '1000'];
  try {
    const first = await spawnServer(args);
    const { token } = await devToken(first.url, 'racer', { race: ['broadcaster'] });
    const c = await TestClient.connect(first.wsUrl);
    c.send({ type: 'auth', token });
    await c.next('welcome');
    c.send({ type: 'join', stream: 'race' });
    await c.next('joined');
    const answers = Array.from({ length: 40 }, (_, i) => c.request({ type: 'send', stream: 'race', text: `race ${i}` }));
    first.child.kill('SIGTERM');
    const settled = await Promise.all(answers);
    for (const answer of settled) {
      assert.ok(answer.type === 'ack' || answer.code === 'unavailable', JSON.stringify(answer));
    }
    assert.equal((await c.closed).code, 1001);
    assert.equal(await first.exited, 0);

    const second = await spawnServer(args);
    try {
      const v = await TestClient.connect(second.wsUrl);
      v.send({ type: 'join', stream: 'race', history: 500 });
      const stored = new Set((await v.next('joined')).history.map((m: { id: string }) => m.id));
      const acked = settled.filter((a) => a.type === 'ack');
      for (const ack of acked) assert.ok(stored.has(ack.id), `acknowledged ${ack.id} was lost`);
      v.close();
    } finally {
      await second.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});
