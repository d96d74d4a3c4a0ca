// Overlay mode for OBS (/s/:stream?overlay=1): shown in an iframe over a
// green page, as a browser source shows it over the stream, then checked
// pixel by pixel from a real screenshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { chatter, devToken, serverForFile } from '../support/servers.ts';
import { browserForFile, eventually, pageErrors } from '../support/browser.ts';

const server = await serverForFile();
const browser = await browserForFile();

const GREEN = [0, 255, 0];

/** A page of plain green with the overlay in a borderless 400x300 iframe at its top left. */
async function overlayOnGreen(query: string, stream: string): Promise<{ page: Page; frame: Frame }> {
  const page = await browser.newPage({ viewport: { width: 400, height: 300 } });
  page.on('pageerror', (err) => pageErrors(page).push(err.message));
  await page.setContent(`<body style="margin:0;background:rgb(0,255,0)"><iframe src="${server.url}/s/${stream}?${query}" style="border:0;width:400px;height:300px;display:block"></iframe></body>`);
  const frame = page.frames().find((f) => f.url().includes(`/s/${stream}`))!;
  await frame.locator('#connection[data-status="online"]').waitFor({ state: 'attached' });
  return { page, frame };
}

/** Decodes a PNG with the browser itself and counts pixels: near `rgb` over the whole image, and not near it in the given rows. */
async function pixels(png: Buffer, rgb: number[], rows: [number, number]): Promise<{ near: number; total: number; otherInRows: number }> {
  const decoder = await browser.newPage();
  try {
    return await decoder.evaluate(async ([base64, [r, g, b], [top, bottom]]) => {
      // (This runs in the page; the test's TypeScript has no DOM types.)
      const doc = (globalThis as unknown as { document: { createElement(tag: string): any } }).document;
      const image = doc.createElement('img');
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = doc.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(image, 0, 0);
      const { data, width } = ctx.getImageData(0, 0, canvas.width, canvas.height) as { data: Uint8ClampedArray; width: number };
      let near = 0;
      let otherInRows = 0;
      for (let i = 0; i < data.length; i += 4) {
        const isNear = Math.abs(data[i]! - r!) < 30 && Math.abs(data[i + 1]! - g!) < 30 && Math.abs(data[i + 2]! - b!) < 30;
        if (isNear) near++;
        const y = Math.floor(i / 4 / width);
        if (!isNear && y >= top! && y < bottom!) otherInRows++;
      }
      return { near, total: data.length / 4, otherInRows };
    }, [png.toString('base64'), rgb, rows] as const);
  } finally {
    await decoder.close();
  }
}

test('the overlay is transparent over the stream, shows the newest lines as text, and has no input', async () => {
  const stream = 'obs-overlay';
  const { page, frame } = await overlayOnGreen('overlay=1&lines=3&fade=0', stream);
  const sender = await chatter(server, 'streamfan', {}, stream);
  for (let i = 1; i <= 5; i++) assert.equal((await sender.request({ type: 'send', stream, text: `overlay line number ${i} with some words` })).type, 'ack');
  await eventually(async () => assert.deepEqual(await frame.locator('#messages li .text').allTextContents(), [3, 4, 5].map((i) => `overlay line number ${i} with some words`)));
  for (const hidden of ['#send', '#login', '.chat-header', '#mod-panel']) assert.equal(await frame.locator(hidden).isVisible(), false, hidden);

  const png = await page.screenshot({ type: 'png' });
  const box = await frame.locator('#messages li').first().boundingBox();
  const last = await frame.locator('#messages li').last().boundingBox();
  assert.ok(box !== null && last !== null);
  const { near, total, otherInRows } = await pixels(png, GREEN, [Math.floor(box.y), Math.ceil(last.y + last.height)]);
  // The green page shows through everywhere but the letters: most of the frame, and all of its top (no header, no background).
  assert.ok(near / total > 0.85, `green ${near} of ${total}`);
  assert.ok(otherInRows > 500, `only ${otherInRows} non-green pixels where the lines are: no text drawn`);
  const top = await pixels(png, GREEN, [0, Math.floor(box.y) - 2]);
  assert.equal(top.otherInRows, 0, 'something is drawn above the lines');
  sender.close();
  assert.deepEqual(pageErrors(page), []);
});

test('lines fade after the given seconds; the scale enlarges the text; bad values fall back or are clamped', async () => {
  const stream = 'obs-fade';
  const { frame } = await overlayOnGreen('overlay=1&fade=1&scale=2', stream);
  const sender = await chatter(server, 'fader', {}, stream);
  await sender.request({ type: 'send', stream, text: 'soon gone' });
  const row = frame.locator('#messages li', { hasText: 'soon gone' });
  await row.waitFor();
  assert.equal(await row.evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(r).fontSize), '28px');
  await eventually(async () => assert.equal(await row.evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(r).opacity), '0'), 5_000);
  sender.close();

  const odd = await overlayOnGreen('overlay=1&scale=99&lines=abc&fade=-5', 'obs-odd');
  const fontSize = await odd.frame.locator('#messages').evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(r).fontSize);
  assert.equal(fontSize, '56px', 'scale 99 is clamped to 4');
});

test('the overlay never signs in, even with a token in the fragment', async () => {
  const { token } = await devToken(server.url, 'obsowner', { 'obs-token': ['broadcaster'] });
  const page = await browser.newPage();
  await page.goto(`${server.url}/s/obs-token?overlay=1#token=${token}`);
  await page.locator('#connection[data-status="online"]').waitFor({ state: 'attached' });
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#send-text').isDisabled(), true);
  assert.equal(await page.locator('#mod-panel').isVisible(), false);
  assert.equal(await page.locator('#send').isVisible(), false);
});
