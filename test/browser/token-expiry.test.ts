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
let dev: TestServer;
let production: TestServer;

// Servers start here, outside the tests' own time limits: under load a start
// takes longer than a short token lives.
before(async () => {
  browser = await launchBrowser();
  dev = await server([]);
  production = await server(['--no-dev']);
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

test('development mode: the page renews a token about to expire and keeps chatting on the same connection', { timeout: 60_000 }, async () => {
  const sockets: number[] = [];
  // Long enough for a loaded machine to open the page before it runs out.
  const lifetimeMs = 8_000;
  const expiresAt = Date.now() + lifetimeMs;
  const token = await tokenExpiringIn('renewpage', lifetimeMs / 1000, { renew: ['subscriber'] });
  const page = await openChat(browser, dev, 'renew', { token, beforeLoad: (p) => p.on('websocket', () => sockets.push(Date.now())) });
  // A reload would keep the renewed token.
  await eventually(async () => assert.notEqual(new URL(page.url()).hash, `#token=${token}`), 10_000);
  // Past the first token's expiry: still the one connection, still signed in.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1_000));
  assert.equal(sockets.length, 1);
  await say(page, 'after renewal');
  await eventually(async () => assert.equal(await page.locator('#messages li[data-id]', { hasText: 'after renewal' }).count(), 1));
  assert.equal(await page.locator('#messages li[data-id] .badge-subscriber').count(), 1, 'the renewed token keeps the roles');
  assert.deepEqual(pageErrors(page), []);
});

test("a host site's token that expires: the page says the session expired and reads on anonymously", { timeout: 60_000 }, async () => {
  const page = await openChat(browser, production, 'lapse', { token: await tokenExpiringIn('lapsing', 5) });
  await eventually(async () => assert.match((await page.locator('#send-status').textContent()) ?? '', /session expired/), 20_000);
  await page.locator('#connection[data-status="online"]').waitFor();
  assert.equal(await page.locator('[aria-label="Send a message"]').isDisabled(), true);
  assert.deepEqual(pageErrors(page), []);
});
