// `--workers 3`: three gateway processes behind one port, supervised. Viewers
// spread over them share one chat; a worker killed with SIGKILL is replaced
// while the others keep serving; SIGTERM drains them all and exits 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { chatter, type ChildServer } from '../support/servers.ts';
import { until } from '../support/until.ts';
import { TestClient } from '../support/ws-client.ts';

const STREAM = 'workers';

/** Pids of the processes that logged `chorus is listening`. */
function listeningPids(server: ChildServer): number[] {
  const pids: number[] = [];
  for (const line of server.output) {
    try {
      const entry = JSON.parse(line) as { msg?: string; pid?: number };
      if (entry.msg === 'chorus is listening' && entry.pid !== undefined) pids.push(entry.pid);
    } catch {
      // not a log line
    }
  }
  return pids;
}


test('three workers share one port and one chat; a killed worker is replaced; SIGTERM drains all and exits 0', async () => {
  const server = await spawnGateway(await clusterEnv(), ['--workers', '3']);
  try {
    await until(() => listeningPids(server).length === 3, 'three listening workers', 20_000, 25);
    const workers = listeningPids(server);
    assert.equal(new Set(workers).size, 3);
    assert.ok(!workers.includes(server.child.pid!), 'the primary only supervises');

    // Connections are handed out in turn, so these viewers sit on every worker.
    const viewers = await Promise.all(Array.from({ length: 6 }, async () => {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: 'join', stream: STREAM });
      await client.next('joined');
      return client;
    }));
    const sender = await chatter(server, 'sender', {}, STREAM);
    const ack = await sender.request({ type: 'send', stream: STREAM, text: 'to every worker' });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    for (const viewer of viewers) await viewer.nextMatching((f) => f.type === 'msg' && f.id === ack.id, 10_000, 'the message');

    process.kill(workers[0]!, 'SIGKILL');
    await until(() => listeningPids(server).length === 4, 'a replacement worker', 20_000, 25);
    const replacement = listeningPids(server)[3]!;
    assert.ok(!workers.includes(replacement));
    // Every new connection lands on a live worker and gets the chat.
    const late = await Promise.all(Array.from({ length: 6 }, async () => {
      const client = await TestClient.connect(server.wsUrl);
      client.send({ type: 'join', stream: STREAM, history: 10 });
      return client.next('joined');
    }));
    for (const joined of late) assert.deepEqual(joined.history.map((m: { id: string }) => m.id), [ack.id]);
    for (const client of [...viewers, sender]) client.close();

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    for (const pid of [...workers.slice(1), replacement]) assert.throws(() => process.kill(pid, 0), 'every worker has exited');
  } finally {
    await server.stop();
  }
});
