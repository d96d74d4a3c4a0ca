// Hot-stream admission (issue 21): while a gateway is short of CPU, a stream
// far above its sampling threshold refuses ordinary sends with `overloaded`
// before any stamping, and keeps its subscribers' and moderators'. The server
// runs in this process, so blocking this thread is what makes it short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { blockLoopFor } from '../support/block-loop.ts';
import { chatter, serverForFile } from '../support/servers.ts';

const SHORT_LAG_MS = 100;
const server = await serverForFile(['--sampling-threshold', '2', '--hot-stream-multiple', '2', '--hot-stream-loop-lag-ms', String(SHORT_LAG_MS), '--max-loop-lag-ms', '10000']);

test('a hot stream refuses ordinary sends while the gateway lags, keeps subscribers, and a calm stream is untouched', async () => {
  const viewer = await chatter(server, 'crowd', {}, 'hot');
  const subscriber = await chatter(server, 'regular', { hot: ['subscriber'] }, 'hot');
  const elsewhere = await chatter(server, 'quietone', {}, 'calm');
  await sleep(1_100); // start-up's own delays are out of the loop-lag window
  for (let i = 0; i < 4; i++) assert.equal((await viewer.request({ type: 'send', stream: 'hot', text: `line ${i}` })).type, 'ack');

  blockLoopFor(SHORT_LAG_MS * 3);
  const refused = await viewer.request({ type: 'send', stream: 'hot', text: 'one more' });
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'overloaded');
  assert.equal(refused.retryAfterMs, 2_000);
  assert.equal((await subscriber.request({ type: 'send', stream: 'hot', text: 'a subscriber still gets in' })).type, 'ack');
  assert.equal((await elsewhere.request({ type: 'send', stream: 'calm', text: 'a calm stream is not hot' })).type, 'ack');

  await sleep(2_100); // the rate falls back below the hot mark and the loop is on time again
  assert.equal((await viewer.request({ type: 'send', stream: 'hot', text: 'after the rush' })).type, 'ack');
  for (const client of [viewer, subscriber, elsewhere]) client.close();
});
