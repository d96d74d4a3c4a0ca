import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { eventually, launchBrowser, openChat, pageErrors, rowIds } from '../support/browser.ts';

// The flood of issue 3: 200 messages a second for 10 s into an open page.
// Sampling is set above the flood so every line reaches the page (its worst
// case); the figures are measured in the browser and reported, not asserted
// (timing on a shared machine is no pass/fail criterion).
const RATE = 200;
const SECONDS = 10;
const SENDERS = 4;
const MAX_ROWS = 150;

// Runs in the page before its scripts: long tasks and animation-frame gaps while `measuring`.
const PERF_PROBE = `
  window.perfProbe = { measuring: false, longTasks: [], gaps: [], last: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (window.perfProbe.measuring) window.perfProbe.longTasks.push(entry.duration);
  }).observe({ type: 'longtask' });
  const tick = (t) => {
    const probe = window.perfProbe;
    if (probe.measuring && probe.last > 0) probe.gaps.push(t - probe.last);
    probe.last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
`;

let browser: Browser;
let server: TestServer;
before(async () => {
  browser = await launchBrowser();
  server = await startTestServer(['--sampling-threshold', '1000', '--rate-limit-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000']);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test(`flood: ${RATE} messages/s for ${SECONDS} s into an open page`, async (t) => {
  const page = await openChat(browser, server, 'flood', { viewport: { width: 420, height: 800 }, beforeLoad: (p) => p.addInitScript(PERF_PROBE) });
  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => chatter(server, `flooder_${i}`, {}, 'flood')));

  await page.evaluate('window.perfProbe.measuring = true');
  const started = Date.now();
  let sent = 0;
  const total = RATE * SECONDS;
  while (sent < total) {
    // Keep to the schedule: send whatever is due by now, spread over the senders.
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) senders[sent % SENDERS]!.send({ type: 'send', stream: 'flood', text: `flood line ${sent} Kappa PogChamp`, nonce: sent });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const sendSeconds = (Date.now() - started) / 1000;

  const acks = () => senders.flatMap((s) => s.frames.filter((f) => f.type === 'ack'));
  await eventually(() => assert.equal(acks().length, total, `errors: ${JSON.stringify(senders.flatMap((s) => s.frames.filter((f) => f.type === 'error')).slice(0, 3))}`), 20_000);
  const newest = acks().reduce((a, b) => (b.seq > a.seq ? b : a));
  assert.ok(acks().every((a) => a.sampled === false), 'nothing is sampled out below the threshold');
  await eventually(async () => assert.equal((await rowIds(page)).at(-1), newest.id), 20_000);

  const perf = (await page.evaluate(`(() => { const p = window.perfProbe; p.measuring = false; return { longTasks: p.longTasks, gaps: p.gaps }; })()`)) as { longTasks: number[]; gaps: number[] };
  const ids = await rowIds(page);
  assert.equal(ids.length, MAX_ROWS, 'the list keeps a capped number of rows');
  assert.equal(new Set(ids).size, ids.length, 'no row twice');
  assert.deepEqual(pageErrors(page), []);

  const gaps = [...perf.gaps].sort((a, b) => a - b);
  const figures = {
    messages: total,
    sendSeconds: Number(sendSeconds.toFixed(1)),
    frames: gaps.length,
    longestFrameMs: Math.round(gaps.at(-1) ?? 0),
    p99FrameMs: Math.round(gaps[Math.floor(gaps.length * 0.99)] ?? 0),
    framesOver50Ms: gaps.filter((g) => g > 50).length,
    longTasks: perf.longTasks.length,
    longTaskTotalMs: Math.round(perf.longTasks.reduce((a, b) => a + b, 0)),
    longestTaskMs: Math.round(Math.max(0, ...perf.longTasks)),
  };
  t.diagnostic(`flood figures: ${JSON.stringify(figures)}`);
  for (const s of senders) s.close();
});
