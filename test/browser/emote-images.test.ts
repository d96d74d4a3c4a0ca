// Emote and badge images in the chat page: drawn only from origins the
// operator allows (the page's CSP img-src names them), text stays text.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { launchBrowser, openChat, pageErrors } from '../support/browser.ts';

// A 1x1 PNG, served by two image servers on this machine: one allowed, one not.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let browser: Browser;
let server: TestServer;
let allowed: Server;
let other: Server;
const origin = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

async function imageServer(): Promise<Server> {
  const s = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

before(async () => {
  browser = await launchBrowser();
  [allowed, other] = await Promise.all([imageServer(), imageServer()]);
  server = await startTestServer(['--image-origins', origin(allowed)]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  allowed?.close();
  other?.close();
});

test('emotes and badges from an allowed origin are images with alt text; others stay text', async () => {
  const stream = 'pictures';
  const caster = (await devToken(server.url, 'piccaster', { [stream]: ['broadcaster'] })).token;
  const put = await apiCall(server.url, 'PUT', `/api/streams/${stream}/images`, caster, {
    emotes: [
      { name: 'catJAM', url: `${origin(allowed)}/cat.png`, animated: true },
      { name: 'elsewhere', url: `${origin(other)}/else.png`, animated: false },
    ],
    badges: [{ role: 'moderator', url: `${origin(allowed)}/mod.png` }],
  });
  assert.equal(put.status, 200);
  const page = await openChat(browser, server, stream);
  const mod = await chatter(server, 'picmod', { [stream]: ['moderator'] }, stream);
  assert.equal((await mod.request({ type: 'send', stream, text: 'look catJAM elsewhere <b>catJAM</b>' })).type, 'ack');

  const row = page.locator('#messages li', { hasText: 'look' });
  await row.waitFor();
  const image = row.locator('img.emote-image');
  assert.equal(await image.count(), 1, 'only the whole token catJAM is an emote');
  assert.equal(await image.getAttribute('alt'), 'catJAM');
  assert.equal(await image.getAttribute('src'), `${origin(allowed)}/cat.png`);
  await page.waitForFunction((selector) => {
    const img = (globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }).document.querySelector(selector);
    return img !== null && img.complete && img.naturalWidth > 0;
  }, '#messages img.emote-image');
  // The emote from an origin not allowed is the styled text it always was; the markup is text.
  assert.equal(await row.locator('span.emote').textContent(), 'elsewhere');
  // Around the image, the line is text nodes: the markup shows as typed and makes no element.
  assert.equal(await row.locator('.text').textContent(), 'look  elsewhere <b>catJAM</b>');
  assert.equal(await row.locator('b').count(), 0);
  assert.equal(await row.locator('img.badge-image').getAttribute('alt'), 'Moderator');
  assert.equal(await row.locator('.badge-moderator').count(), 0);
  mod.close();
  assert.deepEqual(pageErrors(page), []);
});

test("the page's Content-Security-Policy refuses images from any other origin", async () => {
  const page = await openChat(browser, server, 'csp-images');
  const load = (url: string): Promise<string> => page.evaluate(`new Promise((resolve) => {
    const img = document.createElement('img');
    img.onload = () => resolve('loaded');
    img.onerror = () => resolve('refused');
    img.src = ${JSON.stringify(url)};
  })`) as Promise<string>;
  assert.equal(await load(`${origin(allowed)}/ok.png`), 'loaded');
  assert.equal(await load(`${origin(other)}/no.png`), 'refused');
});
