// The audit log across two gateway processes on Redis and Kafka: an action
// taken on one gateway reaches a moderator's socket on the other as a
// `modlog` frame (the bus), and the other gateway's GET pages it (its view of
// the audit log topic), both with the same cursor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gatewayPairForFile } from '../support/cluster.ts';
import { apiCall } from '../support/api.ts';
import { devToken, member } from '../support/servers.ts';

const S = 'xmodlog';
const [a, b] = await gatewayPairForFile();

test('an action on one gateway is pushed to moderators on the other and paged there', async () => {
  const actingMod = await member(a, S, 'xactor', ['moderator']);
  const watchingMod = await member(b, S, 'xwatcher', ['moderator']);
  const viewer = await member(b, S, 'xviewer');
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
