// A chat page whose token the server no longer accepts (here: the server came
// back with another secret) falls back to the development login form instead
// of staying signed out with no way back in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { devToken, spawnServer, type ChildServer } from '../support/servers.ts';
import { freePort } from '../support/free-port.ts';
import { launchBrowser, pageErrors, say } from '../support/browser.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const STREAM = 'fallback';
let browser: Browser;
const dataDir = tempDir();

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  removeDir(dataDir);
});

test('a refused token brings back the login form; logging in again lets the page chat', async () => {
  const port = String(await freePort());
  const args = ['--dev', '--port', port, '--host', '127.0.0.1', '--data-dir', dataDir];
  let server: ChildServer = await spawnServer(args, { CHORUS_JWT_SECRET: 'the-first-secret-of-at-least-32-bytes' });
  try {
    const { token } = await devToken(server.url, 'alice', { [STREAM]: [] });
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (err) => pageErrors(page).push(err.message));
    await page.goto(`${server.url}/s/${STREAM}#token=${token}`);
    await page.locator('[aria-label="Send a message"]:enabled').waitFor();
    assert.equal(await page.locator('#login').isHidden(), true);

    // Same port, same data directory, another secret: the page reconnects and its token is refused.
    await server.stop();
    server = await spawnServer(args, { CHORUS_JWT_SECRET: 'the-other-secret-of-at-least-32-bytes' });
    await page.locator('#login').waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await page.locator('#login-status').textContent()) ?? '', /^Signed out \(invalid token/);
    assert.equal(new URL(page.url()).hash, '', 'the refused token left the fragment');
    assert.equal(await page.locator('[aria-label="Send a message"]').isDisabled(), true);

    await page.locator('[aria-label="Your name"]').fill('alice');
    await page.locator('#login button[type="submit"]').click();
    await page.locator('[aria-label="Send a message"]:enabled').waitFor();
    assert.equal(await page.locator('#login').isHidden(), true);
    await say(page, 'back again');
    await page.locator('#messages li[data-id]', { hasText: 'back again' }).waitFor();
    assert.deepEqual(pageErrors(page), []);
  } finally {
    await server.stop();
  }
});

/** How many tokens the server has refused so far (its debug log says so for each). */
function refusedTokens(server: ChildServer): number {
  return server.output.filter((line) => line.includes('"msg":"token refused"')).length;
}

test('after a refusal the page reconnects anonymously: the refused token is not sent again', async () => {
  const port = String(await freePort());
  const dir = tempDir();
  const args = ['--dev', '--port', port, '--host', '127.0.0.1', '--data-dir', dir];
  const other = { CHORUS_JWT_SECRET: 'the-other-secret-of-at-least-32-bytes', CHORUS_LOG_LEVEL: 'debug' };
  let server: ChildServer = await spawnServer(args, { CHORUS_JWT_SECRET: 'the-first-secret-of-at-least-32-bytes' });
  try {
    const { token } = await devToken(server.url, 'bob', { [STREAM]: [] });
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (err) => pageErrors(page).push(err.message));
    await page.goto(`${server.url}/s/${STREAM}#token=${token}`);
    await page.locator('[aria-label="Send a message"]:enabled').waitFor();

    await server.stop();
    server = await spawnServer(args, other);
    await page.locator('#login').waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(refusedTokens(server), 1, 'the token was refused once');

    // Another reconnect, before the user signs in again: it must come back as a reader.
    await server.stop();
    await page.locator('#connection:not([data-status="online"])').waitFor();
    server = await spawnServer(args, other);
    await page.locator('#connection[data-status="online"]').waitFor({ timeout: 15_000 });
    // The join was answered, so an auth sent before it has been answered (and logged) too; give the log a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(refusedTokens(server), 0, 'the refused token was sent again on reconnect');
    assert.equal(await page.locator('#login').isVisible(), true);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    await server.stop();
    removeDir(dir);
  }
});
