import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, type Frame } from '../support/ws-client.ts';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';

// History-to-live handover: viewers join and resume while chat flows, and each
// one sees every acknowledged message exactly once, in seq order.

let server: TestServer;

before(async () => {
  server = await startTestServer(['--rate-limit-privileged-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

function seqsSeen(joined: Frame, live: Frame[]): number[] {
  return [...joined.history.map((m: Frame) => m.seq), ...live.map((m) => m.seq)];
}

test('joins and resumes during a stream of messages have no gap and no duplicate', async () => {
  const sender = await chatter(server, 'caster', { flow: ['broadcaster'] }, 'flow');

  const acked: number[] = [];
  let sending = true;
  const pump = (async () => {
    for (let i = 0; sending && i < 5_000; i++) {
      const ack = await sender.request({ type: 'send', stream: 'flow', text: `line ${i}` });
      assert.equal(ack.type, 'ack');
      acked.push(ack.seq);
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
  })();

  const viewers: Array<{ client: TestClient; joined: Frame }> = [];
  for (let round = 0; round < 20; round++) {
    await new Promise((r) => setTimeout(r, 15));
    const client = await TestClient.connect(server.wsUrl);
    // Alternate fresh joins with resumes from a recent point.
    const since = round % 2 === 1 && acked.length > 5 ? acked[acked.length - 5] : undefined;
    client.send({ type: 'join', stream: 'flow', history: 500, since });
    viewers.push({ client, joined: await client.next('joined') });
  }
  await new Promise((r) => setTimeout(r, 100));
  sending = false;
  await pump;
  const lastAck = acked[acked.length - 1]!;
  await waitFor(() => viewers.every(({ client }) => client.liveMessages('flow').some((m) => m.seq === lastAck)));

  for (const { client, joined } of viewers) {
    const seen = seqsSeen(joined, client.liveMessages('flow'));
    const firstHistory = joined.history.length > 0 ? joined.history[0].seq : joined.seq + 1;
    const start = Math.min(firstHistory, joined.seq + 1);
    const expected = acked.filter((s) => s >= start);
    assert.deepEqual(seen, expected, `viewer joined at seq ${joined.seq}`);
    client.close();
  }
  assert.ok(acked.length > 20, `only ${acked.length} messages flowed`);
  sender.close();
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
