// A gateway whose event loop runs late refuses sends with `overloaded` (and a
// retry time) before doing any work, and accepts them again once it keeps up.
// The server runs in this process, so blocking this thread blocks its loop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoopLag } from '../../src/observability/loop-lag.ts';
import { blockLoopFor } from '../support/block-loop.ts';
import { chatter, serverForFile } from '../support/servers.ts';

const MAX_LAG_MS = 500;
const server = await serverForFile(['--max-loop-lag-ms', String(MAX_LAG_MS)]);

test('LoopLag reports the newest half second: a blocked loop, then a calm one', async () => {
  const lag = new LoopLag();
  try {
    await sleep(600);
    assert.ok(lag.lagMs < 400, `calm: ${lag.lagMs} ms`);
    blockLoopFor(700);
    await sleep(50); // the window that held the block closes
    assert.ok(lag.lagMs >= 550, `after a 700 ms block: ${lag.lagMs} ms`);
    await sleep(1_100);
    assert.ok(lag.lagMs < 400, `calm again: ${lag.lagMs} ms`);
  } finally {
    lag.close();
  }
});

test('sends are refused overloaded while the loop lags past maxLoopLagMs, and accepted again after', async () => {
  const sender = await chatter(server, 'lagged', {}, 'lagging');
  await sleep(1_100); // start-up's own delays are out of the window
  const before = await sender.request({ type: 'send', stream: 'lagging', text: 'before' });
  assert.equal(before.type, 'ack');

  blockLoopFor(MAX_LAG_MS * 2);
  const during = await sender.request({ type: 'send', stream: 'lagging', text: 'during' });
  assert.equal(during.type, 'error');
  assert.equal(during.code, 'overloaded');
  assert.equal(during.retryAfterMs, 1_000);

  await sleep(1_100);
  const afterwards = await sender.request({ type: 'send', stream: 'lagging', text: 'after' });
  assert.equal(afterwards.type, 'ack');
  sender.close();
});
