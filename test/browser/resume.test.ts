import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chatter, spawnServer, type ChildServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { eventually, launchBrowser, openChat, pageErrors, rowIds } from '../support/browser.ts';

let browser: Browser;
const dataDir = tempDir();
let running: ChildServer | undefined;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await running?.stop();
  removeDir(dataDir);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Posts `count` lines as a user of the running server; their ids in acceptance order. */
async function post(server: ChildServer, label: string, count: number): Promise<string[]> {
  const client = await chatter(server, 'poster', {}, 'resume');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const ack = await client.request({ type: 'send', stream: 'resume', text: `${label} ${i}` });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    ids.push(ack.id as string);
  }
  client.close();
  return ids;
}

interface JoinLog {
  /** Every join frame the page sent, in order. */
  joins: Array<Record<string, unknown>>;
  /** The history ids of every joined frame the page received. */
  joinedIds: string[][];
}

function watchJoins(page: Page, log: JoinLog): void {
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as Record<string, unknown>;
      if (frame.type === 'join') log.joins.push(frame);
    });
    ws.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; history?: Array<{ id: string }> };
      if (frame.type === 'joined') log.joinedIds.push(frame.history!.map((m) => m.id));
    });
  });
}

test('the page resumes after server restarts (drain and crash) with no duplicate and no gap', async () => {
  const port = String(await freePort());
  // A drain tells clients to come back after 8 s, long enough for the next server to start and take messages
  // first even on a busy machine (the full suite runs three-gateway clusters beside this test).
  const args = ['--dev', '--port', port, '--host', '127.0.0.1', '--data-dir', dataDir, '--reconnect-after-ms', '8000', '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000'];
  running = await spawnServer(args);

  const seen: JoinLog = { joins: [], joinedIds: [] };
  const page = await openChat(browser, running, 'resume', { beforeLoad: (p) => watchJoins(p, seen) });

  const expected = await post(running, 'before', 10);
  await eventually(async () => assert.deepEqual(await rowIds(page), expected));

  // 1. Graceful restart: `reconnect` then 1001; the next server takes messages before the page is back.
  await running.stop();
  running = await spawnServer(args);
  const whileAway = await post(running, 'away', 10);
  expected.push(...whileAway);
  await eventually(async () => assert.deepEqual(await rowIds(page), expected), 20_000);
  assert.ok(seen.joinedIds.some((ids) => whileAway.every((id) => ids.includes(id))), 'lines posted while the page was away came in the resumed joined');

  // 2. Crash: no goodbye at all; the page backs off and retries until the server is back.
  running.child.kill('SIGKILL');
  await running.exited;
  await page.locator('#connection[data-status="waiting"]').waitFor({ timeout: 10_000 });
  running = await spawnServer(args);
  expected.push(...await post(running, 'after crash', 5));
  await eventually(async () => assert.deepEqual(await rowIds(page), expected), 30_000);

  // 3. Live lines keep flowing on the resumed session.
  expected.push(...await post(running, 'live', 5));
  await eventually(async () => assert.deepEqual(await rowIds(page), expected));

  const resumes = seen.joins.slice(1);
  assert.ok(resumes.length >= 2, `expected a join per reconnect, got ${JSON.stringify(seen.joins)}`);
  for (const join of resumes) assert.equal(typeof join.since, 'number', `every rejoin resumes with since: ${JSON.stringify(join)}`);
  assert.equal(new Set(await rowIds(page)).size, expected.length);
  assert.deepEqual(pageErrors(page), []);
});
