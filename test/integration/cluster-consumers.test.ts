// The log's consumers in cluster mode, across three gateway processes: the
// classifier's consumer group retracts a flagged line for viewers on every
// gateway, every gateway's analytics count every gateway's messages, and a
// report filed on one gateway is listed and dismissed on the others.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall } from '../support/api.ts';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { chatter, devToken, waitUntilReady, type ChildServer } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';

const STREAM = 'consumers';
let gateways: ChildServer[] = [];

before(async () => {
  const env = await clusterEnv();
  gateways = await Promise.all([0, 1, 2].map(() => spawnGateway(env, ['--classifier-terms', 'zorblax'])));
  // The classifier's group starts at the newest line once it has its partitions: a line sent before is never checked.
  await Promise.all(gateways.map((g) => waitUntilReady(g)));
});

after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
});

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function call(gateway: ChildServer, method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return apiCall(gateway.url, method, path, token, body);
}

test('the classifier group retracts a flagged line on every gateway', async () => {
  const viewers = await Promise.all(gateways.map(async (g) => {
    const client = await TestClient.connect(g.wsUrl);
    client.send({ type: 'join', stream: STREAM });
    await client.next('joined');
    return client;
  }));
  const sender = await chatter(gateways[0]!, 'sender', {}, STREAM);
  const clean = await sender.request({ type: 'send', stream: STREAM, text: 'hello there' });
  const bad = await sender.request({ type: 'send', stream: STREAM, text: 'buy z0rblax now' });
  assert.equal(bad.type, 'ack');
  for (const viewer of viewers) {
    const retract = await viewer.next('retract', () => true, 20_000);
    assert.deepEqual(retract, { type: 'retract', stream: STREAM, ids: [bad.id], reason: 'flagged' });
  }
  for (const gateway of gateways) {
    const page = (await (await call(gateway, 'GET', `/api/streams/${STREAM}/messages?after=0`)).json()) as { messages: Array<{ id: string }> };
    assert.deepEqual(page.messages.map((m) => m.id), [clean.id]);
  }
  for (const client of [...viewers, sender]) client.close();
});

test("every gateway's analytics count every gateway's messages", async () => {
  const stream = 'counted';
  const senders = await Promise.all(gateways.map((g, i) => chatter(g, `talker${i}`, {}, stream)));
  for (const [i, sender] of senders.entries()) {
    for (let n = 0; n <= i; n++) assert.equal((await sender.request({ type: 'send', stream, text: `line ${n}` })).type, 'ack');
  }
  for (const gateway of gateways) {
    await eventually(async () => {
      const analytics = (await (await call(gateway, 'GET', `/api/streams/${stream}/analytics`)).json()) as { perMinute: Array<{ messages: number }>; topChatters: Array<{ name: string; messages: number }> };
      return analytics.perMinute.reduce((sum, m) => sum + m.messages, 0) === 6
        && JSON.stringify(analytics.topChatters.map((c) => [c.name, c.messages])) === JSON.stringify([['talker2', 3], ['talker1', 2], ['talker0', 1]]);
    }, `analytics on ${gateway.url}`);
  }
  for (const sender of senders) sender.close();
});

test('a report filed on one gateway is listed on another and dismissed on a third', async () => {
  const path = `/api/streams/${STREAM}/reports`;
  const viewer = (await devToken(gateways[0]!.url, 'reporter')).token;
  const mod = (await devToken(gateways[0]!.url, 'moddy', { [STREAM]: ['moderator'] })).token;
  const filed = await call(gateways[0]!, 'POST', path, viewer, { messageId: 'm1', reason: 'spam' });
  assert.equal(filed.status, 201);
  const { id } = (await filed.json()) as { id: string };
  await eventually(async () => {
    const listed = (await (await call(gateways[1]!, 'GET', path, mod)).json()) as { reports: Array<{ id: string }> };
    return listed.reports.some((r) => r.id === id);
  }, 'the report on gateway 1');
  await eventually(async () => (await call(gateways[2]!, 'DELETE', `${path}/${id}`, mod)).status === 204, 'the dismissal on gateway 2');
  await eventually(async () => {
    const listed = (await (await call(gateways[0]!, 'GET', path, mod)).json()) as { reports: unknown[] };
    return listed.reports.length === 0;
  }, 'the report gone on gateway 0');
});
