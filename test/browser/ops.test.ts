import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { eventually, launchBrowser, pageErrors } from '../support/browser.ts';

let browser: Browser;
let server: TestServer;
before(async () => {
  browser = await launchBrowser();
  server = await startTestServer(['--sampling-threshold', '2', '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000']);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('/ops draws live charts of the server from its JSON series', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => pageErrors(page).push(err.message));
  await page.goto(`${server.url}/ops`);
  const senders = await Promise.all(['o1', 'o2'].map((name) => chatter(server, name, {}, 'opsdemo')));
  // Each line differs: a user's repeat of their own last line is refused (`duplicate`).
  let n = 0;
  const traffic = setInterval(() => {
    for (const s of senders) s.send({ type: 'send', stream: 'opsdemo', text: `busy ${n++}` });
  }, 100);
  try {
    const captions = [
      'Messages per second: accepted vs broadcast', 'Sampling keep ratio', 'Connections',
      'Deliveries per second', 'Ingest latency p99', 'Fan-out delay p99', 'Slow-consumer drops per second',
    ];
    for (const caption of captions) await page.locator('figure', { hasText: caption }).waitFor();
    // Wait until the message chart shows traffic and the keep ratio shows sampling.
    await eventually(async () => {
      const latest = await page.locator('figure', { hasText: 'accepted vs broadcast' }).locator('.latest').textContent();
      const [accepted, broadcast] = [...(latest ?? '').matchAll(/(\d+(?:\.\d+)?)\/s/g)].map((m) => Number(m[1]));
      assert.ok(accepted! > 2 && broadcast! < accepted!, latest ?? '');
    }, 10_000);
    const keep = Number(await page.locator('figure', { hasText: 'Sampling keep ratio' }).locator('.latest').textContent());
    assert.ok(keep < 1, `keep ratio ${keep}`);
    for (const caption of ['Ingest latency p99', 'Fan-out delay p99']) {
      assert.match((await page.locator('figure', { hasText: caption }).locator('.latest').textContent()) ?? '', /^\d+(\.\d+)? ms$/, caption);
    }

    // Each canvas has a data line on it: grid and labels are grey, series are saturated colours.
    await eventually(async () => {
      const coloured = await page.locator('figure canvas').evaluateAll((canvases) => canvases.map((c) => {
        // (This runs in the page; the test's TypeScript has no DOM types.)
        const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 128 && Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!) > 60) count++;
        }
        return count;
      }));
      assert.equal(coloured.length, 7);
      for (const count of coloured) assert.ok(count > 100, `a chart has only ${count} pixels of a series colour: ${coloured}`);
    }, 5_000);
    assert.deepEqual(pageErrors(page), []);
  } finally {
    clearInterval(traffic);
    for (const s of senders) s.close();
  }
});
