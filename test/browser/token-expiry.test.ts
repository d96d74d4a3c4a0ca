import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/servers.ts';
import { eventually, launchBrowser, openChat, pageErrors, say } from '../support/browser.ts';
import { removeDir } from '../support/temp-dir.ts';
import { tokenExpiringIn } from '../support/tokens.ts';

// The server closes a connection whose token expires (4001). The page renews
// its token first when it can (development mode), and says the session
// expired when it cannot.

let browser: Browser;
const servers: TestServer[] = [];

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const server of servers) {
    await server.stop();
    removeDir(server.dataDir);
  }
});

async function server(flags: string[]): Promise<TestServer> {
  const started = await startTestServer(flags);
  servers.push(started);
  return started;
}

test('development mode: the page renews a token about to expire and keeps chatting on the same connection', { timeout: 30_000 }, async () => {
  const dev = await server([]);
  const sockets: number[] = [];
  const token = await tokenExpiringIn('renewpage', 3, { renew: ['subscriber'] });
  const page = await openChat(browser, dev, 'renew', { token, beforeLoad: (p) => p.on('websocket', () => sockets.push(Date.now())) });
  // A reload would keep the renewed token.
  await eventually(async () => assert.notEqual(new URL(page.url()).hash, `#token=${token}`), 10_000);
  // Past the first token's expiry: still the one connection, still signed in.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  assert.equal(sockets.length, 1);
  await say(page, 'after renewal');
  await eventually(async () => assert.equal(await page.locator('#messages li[data-id]', { hasText: 'after renewal' }).count(), 1));
  assert.equal(await page.locator('#messages li[data-id] .badge-subscriber').count(), 1, 'the renewed token keeps the roles');
  assert.deepEqual(pageErrors(page), []);
});

test("a host site's token that expires: the page says the session expired and reads on anonymously", { timeout: 30_000 }, async () => {
  const production = await server(['--no-dev']);
  const page = await openChat(browser, production, 'lapse', { token: await tokenExpiringIn('lapsing', 2) });
  await eventually(async () => assert.match((await page.locator('#send-status').textContent()) ?? '', /session expired/), 10_000);
  await page.locator('#connection[data-status="online"]').waitFor();
  assert.equal(await page.locator('[aria-label="Send a message"]').isDisabled(), true);
  assert.deepEqual(pageErrors(page), []);
});
