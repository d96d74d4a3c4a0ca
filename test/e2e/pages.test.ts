import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer(['--sampling-threshold', '2', '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000']);
});
after(async () => server?.stop());

test('every page carries a strict Content-Security-Policy; only the chat page may be framed', async () => {
  for (const path of ['/', '/s/some_stream-1', '/ops']) {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(/frame-ancestors 'none'/.test(csp), path !== '/s/some_stream-1', path);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/, 'no inline script');
    assert.match(html, /data-dev="true"/, 'the development login is offered in dev mode');
  }
});

test('bad stream names and unknown assets are 404; built assets are served', async () => {
  assert.equal((await fetch(`${server.url}/s/no%20spaces`)).status, 404);
  assert.equal((await fetch(`${server.url}/s/${'x'.repeat(65)}`)).status, 404);
  assert.equal((await fetch(`${server.url}/assets/..%2Fpages%2Fchat.html`)).status, 404);
  assert.equal((await fetch(`${server.url}/assets/chat.html`)).status, 404);
  const js = await fetch(`${server.url}/assets/chat.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
});

test('/api/streams lists streams with viewers, most watched first', async () => {
  const a = await Promise.all([chatter(server, 'v1', {}, 'busy'), chatter(server, 'v2', {}, 'busy'), chatter(server, 'v3', {}, 'quiet')]);
  const body = (await (await fetch(`${server.url}/api/streams`)).json()) as { streams: Array<{ stream: string; viewers: number }> };
  assert.deepEqual(body.streams, [{ stream: 'busy', viewers: 2 }, { stream: 'quiet', viewers: 1 }]);
  for (const c of a) c.close();
});

test('/api/ops/series reports accepted vs broadcast, keep ratio, connections and latency from real traffic', async () => {
  const senders = await Promise.all(['s1', 's2', 's3'].map((name) => chatter(server, name, {}, 'ops')));
  for (let i = 0; i < 10; i++) {
    await Promise.all(senders.map((s) => s.request({ type: 'send', stream: 'ops', text: `line ${i}` })));
  }
  // Points are taken once a second; wait for the ones that cover the burst.
  let points: Array<Record<string, number | null>> = [];
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const body = (await (await fetch(`${server.url}/api/ops/series`)).json()) as { intervalMs: number; points: typeof points };
    assert.equal(body.intervalMs, 1000);
    points = body.points;
    const accepted = points.reduce((sum, p) => sum + (p.acceptedPerSecond as number), 0);
    if (accepted >= 30 * 0.9 && points.at(-1)!.acceptedPerSecond === 0) break;
  }
  const busiest = points.reduce((a, b) => ((b.acceptedPerSecond as number) > (a.acceptedPerSecond as number) ? b : a));
  assert.ok((busiest.acceptedPerSecond as number) > 2, JSON.stringify(points));
  assert.ok((busiest.broadcastPerSecond as number) < (busiest.acceptedPerSecond as number), 'sampling above 2 lines a second broadcasts fewer');
  assert.ok((busiest.keepRatio as number) < 1);
  assert.ok((busiest.deliveriesPerSecond as number) > 0);
  assert.ok(busiest.ingestP99Ms !== null && busiest.ingestP99Ms > 0);
  assert.ok(points.some((p) => p.fanoutP99Ms !== null && p.fanoutP99Ms > 0), 'the senders, joined, were written to');
  assert.ok(points.some((p) => (p.connections as number) >= 3));
  for (const s of senders) s.close();
});
