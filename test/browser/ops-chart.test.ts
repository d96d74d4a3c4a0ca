// The /ops charts read as charts: a time axis under each, and a legend that
// names every line without covering any, even when two lines coincide.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { eventually, launchBrowser, pageErrors } from '../support/browser.ts';

let browser: Browser;
let server: TestServer;
before(async () => {
  browser = await launchBrowser();
  server = await startTestServer(['--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000']);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Pixels of a canvas within 40 of `rgb` on each channel (this runs in the page; the test's TypeScript has no DOM types). */
function pixelsNear(c: unknown, rgb: readonly number[]): number {
  const canvas = c as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! > 200 && Math.abs(data[i]! - rgb[0]!) < 40 && Math.abs(data[i + 1]! - rgb[1]!) < 40 && Math.abs(data[i + 2]! - rgb[2]!) < 40) count++;
  }
  return count;
}

test('each chart has a clock-time axis, and a legend; two equal lines both stay visible', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => pageErrors(page).push(err.message));
  await page.goto(`${server.url}/ops`);
  // Steady traffic below any sampling: accepted and broadcast are the same line.
  const sender = await chatter(server, 'steady', {}, 'opsaxis');
  const traffic = setInterval(() => sender.send({ type: 'send', stream: 'opsaxis', text: 'tick' }), 200);
  try {
    const messages = page.locator('figure', { hasText: 'accepted vs broadcast' });
    await eventually(async () => {
      const ticks = await messages.locator('.axis-x span').allTextContents();
      assert.ok(ticks.length >= 2, `ticks: ${ticks}`);
      for (const tick of ticks) assert.match(tick, /^\d\d:\d\d:\d\d$/);
      assert.notEqual(ticks[0], ticks.at(-1));
    }, 15_000);
    assert.deepEqual(await messages.locator('.legend li .label').allTextContents(), ['accepted', 'broadcast']);
    assert.deepEqual(await page.locator('figure', { hasText: 'Connections' }).locator('.legend li .label').allTextContents(), ['connections']);
    await eventually(async () => {
      const accepted = await messages.locator('canvas').evaluate(pixelsNear, [0xf0, 0xa0, 0x30]);
      const broadcast = await messages.locator('canvas').evaluate(pixelsNear, [0x40, 0xb0, 0xf0]);
      assert.ok(accepted > 100 && broadcast > 100, `accepted ${accepted} px, broadcast ${broadcast} px`);
    }, 10_000);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    clearInterval(traffic);
    sender.close();
  }
});
