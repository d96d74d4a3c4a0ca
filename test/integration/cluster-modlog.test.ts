// The audit log across two gateway processes on Redis and Kafka: an action
// taken on one gateway reaches a moderator's socket on the other as a
// `modlog` frame (the bus), and the other gateway's GET pages it (its view of
// the audit log topic), both with the same cursor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { apiCall } from '../support/api.ts';
import { chatter, devToken, type ChildServer } from '../support/servers.ts';
import type { TestClient } from '../support/ws-client.ts';

let gateways: ChildServer[] = [];
const clients: TestClient[] = [];
const S = 'xmodlog';

before(async () => {
  const env = await clusterEnv();
  gateways = await Promise.all([0, 1].map(() => spawnGateway(env)));
});
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(gateways.map((g) => g.stop()));
});

test('an action on one gateway is pushed to moderators on the other and paged there', async () => {
  const [a, b] = gateways as [ChildServer, ChildServer];
  const actingMod = await chatter(a, 'xactor', { [S]: ['moderator'] }, S);
  const watchingMod = await chatter(b, 'xwatcher', { [S]: ['moderator'] }, S);
  const viewer = await chatter(b, 'xviewer', {}, S);
  clients.push(actingMod, watchingMod, viewer);
  const viewerId = viewer.frames.findLast((f) => f.type === 'welcome' && f.user !== null)!.user.id as string;

  assert.equal((await actingMod.request({ type: 'mod', stream: S, action: 'timeout', user: viewerId, seconds: 5, reason: 'cross-gateway' })).type, 'ack');
  const pushed = await watchingMod.next('modlog');
  assert.equal(pushed.reason, 'cross-gateway');
  assert.deepEqual(pushed.user, { id: viewerId });
  await viewer.next('clear');
  assert.deepEqual(viewer.frames.filter((f) => f.type === 'modlog'), [], 'not to a viewer on that gateway');

  const { token } = await devToken(b.url, 'xreader', { [S]: ['moderator'] });
  let entries: Array<Record<string, unknown>> = [];
  // Gateway b learns the entry from the topic within a fetch wait or so; bounded.
  for (let i = 0; i < 50 && entries.length === 0; i++) {
    entries = ((await (await apiCall(b.url, 'GET', `/api/streams/${S}/modlog`, token)).json()) as { entries: typeof entries }).entries;
    if (entries.length === 0) await sleep(100);
  }
  assert.deepEqual(entries, [Object.fromEntries(Object.entries(pushed).filter(([key]) => key !== 'type'))]);
});
