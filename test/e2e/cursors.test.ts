import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';
import { readEvents } from '../support/sse-reader.ts';
import { TestClient } from '../support/ws-client.ts';

// Cursors (seqs and times a client passes back) are validated: a cursor
// above the stream's newest seq is clamped to it, so the viewer still gets
// every live line; a cursor not written as a decimal integer is refused.

let server: TestServer;
let caster: string;

before(async () => {
  server = await startTestServer();
  caster = (await devToken(server.url, 'caster', { c1: ['broadcaster'], c2: ['broadcaster'], c3: ['broadcaster'] })).token;
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

async function post(stream: string, text: string): Promise<{ seq: number }> {
  const res = await apiCall(server.url, 'POST', `/api/streams/${stream}/messages`, caster, { text });
  assert.equal(res.status, 201);
  return (await res.json()) as { seq: number };
}

test('a join with since above the newest seq is clamped: joined.seq is the newest seq and live lines arrive', async () => {
  await post('c1', 'one');
  const last = await post('c1', 'two');
  const viewer = await TestClient.connect(server.wsUrl);
  viewer.send({ type: 'join', stream: 'c1', since: Number.MAX_SAFE_INTEGER });
  const joined = await viewer.next('joined');
  assert.equal(joined.seq, last.seq);
  assert.deepEqual(joined.history, []);
  await post('c1', 'three');
  assert.equal((await viewer.next('msg')).text, 'three');

  for (const since of [1.5, -1, '3', 1e300]) {
    const refused = await viewer.request({ type: 'join', stream: 'c1', since });
    assert.equal(refused.code, 'invalid', `since ${since}`);
  }
  viewer.close();
});

test('HTTP polling: after above the newest seq is clamped in next; non-decimal cursors are 400 invalid', async () => {
  await post('c2', 'one');
  const last = await post('c2', 'two');
  const far = await apiCall(server.url, 'GET', '/api/streams/c2/messages?after=900000');
  assert.equal(far.status, 200);
  const page = (await far.json()) as { messages: unknown[]; next: number };
  assert.deepEqual(page.messages, []);
  assert.equal(page.next, last.seq, 'next is the newest seq, so the next poll finds new lines');
  await post('c2', 'three');
  const poll = (await (await apiCall(server.url, 'GET', `/api/streams/c2/messages?after=${page.next}`)).json()) as { messages: Array<{ text: string }> };
  assert.deepEqual(poll.messages.map((m) => m.text), ['three']);

  for (const query of ['after=1e20', 'after=0x10', 'after=1.5', 'after=-1', 'after=', 'after=9007199254740993', 'after=%201', 'limit=0x10', 'limit=1e2', 'from=1e3', 'from=0&to=0x10', 'after=1&after=2']) {
    const res = await apiCall(server.url, 'GET', `/api/streams/c2/messages?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(((await res.json()) as { code: string }).code, 'invalid', query);
  }
});

test('SSE: an empty Last-Event-ID does not replay from 0; one above the newest seq is clamped; a non-decimal one is refused', async () => {
  await post('c3', 'one');
  await post('c3', 'two');
  const last = await post('c3', 'three');
  const empty = new AbortController();
  const fresh = readEvents(await fetch(`${server.url}/api/streams/c3/events?history=1`, { signal: empty.signal, headers: { 'last-event-id': '' } }));
  assert.deepEqual((await fresh.next()).data.history.map((m: { text: string }) => m.text), ['three']);
  empty.abort();

  const ahead = new AbortController();
  const clamped = readEvents(await fetch(`${server.url}/api/streams/c3/events`, { signal: ahead.signal, headers: { 'last-event-id': '123456789' } }));
  const joined = await clamped.next();
  assert.equal(joined.data.seq, last.seq);
  assert.deepEqual(joined.data.history, []);
  const viewer = await chatter(server, 'sseposter', {}, 'c3');
  await viewer.request({ type: 'send', stream: 'c3', text: 'live' });
  // A state frame (the stream's rate after the three posts, its viewer count) may come first.
  let live = await clamped.next();
  for (let skipped = 0; live.data.type === 'state' && skipped < 5; skipped++) live = await clamped.next();
  assert.equal(live.data.text, 'live');
  viewer.close();
  ahead.abort();

  for (const id of ['0x10', '1e3', '-1', 'abc']) {
    const res = await fetch(`${server.url}/api/streams/c3/events`, { headers: { 'last-event-id': id } });
    assert.equal(res.status, 400, id);
    assert.equal(((await res.json()) as { code: string }).code, 'invalid');
  }
  for (const query of ['since=0x10', 'history=1e1']) {
    assert.equal((await fetch(`${server.url}/api/streams/c3/events?${query}`)).status, 400, query);
  }
});
