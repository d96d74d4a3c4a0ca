// Chromium with permessage-deflate (--ws-deflate): the chat page shows every
// line, in order, from the shared compressed frames.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { eventually, launchBrowser, openChat, pageErrors } from '../support/browser.ts';

let browser: Browser;
let server: TestServer;

before(async () => {
  browser = await launchBrowser();
  server = await startTestServer(['--ws-deflate']);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('Chromium negotiates permessage-deflate and the chat page shows compressed lines in order', async () => {
  const page = await openChat(browser, server, 'squeeze');
  // A socket of the page's own: Chromium offers the extension on every WebSocket, the page's included.
  const extensions = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    ws.close();
    return ws.extensions;
  }, server.wsUrl);
  assert.match(extensions, /^permessage-deflate; server_no_context_takeover/);
  const talker = await chatter(server, 'talker', { squeeze: ['broadcaster'] }, 'squeeze');
  const want = Array.from({ length: 25 }, (_, n) => `compressed line ${n} for a browser that inflates it`);
  for (const [n, text] of want.entries()) talker.send({ type: 'send', stream: 'squeeze', text, nonce: `n${n}` });
  await eventually(async () => assert.deepEqual(await page.locator('#messages li .text').allTextContents(), want));
  assert.deepEqual(pageErrors(page), []);
  talker.close();
});
