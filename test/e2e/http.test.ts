import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { apiCall } from '../support/api.ts';
import { readEvents } from '../support/sse-reader.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';

// The HTTP API of PROTOCOL.md against the whole server.

let server: TestServer;

const json = (res: Response): Promise<any> => res.json();
let alice: string;
let mod: string;

before(async () => {
  server = await startTestServer();
  alice = (await devToken(server.url, 'alice')).token;
  mod = (await devToken(server.url, 'mod', { h1: ['moderator'], h2: ['moderator'] })).token;
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return apiCall(server.url, method, path, token, body);
}

test('post, poll with after, and the polling interval', async () => {
  const first = await call('POST', '/api/streams/h1/messages', alice, { text: 'one' });
  assert.equal(first.status, 201);
  const a = await json(first);
  assert.equal(a.seq, 1);
  assert.equal(a.sampled, false);
  await call('POST', '/api/streams/h1/messages', alice, { text: 'two' });
  const poll = await json(await call('GET', '/api/streams/h1/messages?after=1'));
  assert.deepEqual(poll.messages.map((m: { text: string }) => m.text), ['two']);
  assert.equal(poll.next, 2);
  assert.equal(poll.pollingIntervalMillis, 2000);
  const empty = await json(await call('GET', `/api/streams/h1/messages?after=${poll.next}`));
  assert.deepEqual(empty.messages, []);
  assert.equal(empty.next, 2);
});

test('refusals are JSON with the code and the matching status', async () => {
  const anon = await call('POST', '/api/streams/h1/messages', undefined, { text: 'x' });
  assert.equal(anon.status, 401);
  assert.equal((await json(anon)).code, 'unauthorized');
  const bad = await call('POST', '/api/streams/h1/messages', 'not-a-jwt', { text: 'x' });
  assert.equal(bad.status, 401);
  const long = await call('POST', '/api/streams/h1/messages', alice, { text: 'y'.repeat(600) });
  assert.equal(long.status, 400);
  assert.equal((await json(long)).code, 'too_long');
  const wrong = await call('POST', '/api/streams/h1/messages', alice, { text: 5 });
  assert.equal(wrong.status, 400);
  assert.equal((await json(wrong)).code, 'invalid');
  const badStream = await call('GET', '/api/streams/bad%20name');
  assert.equal(badStream.status, 400);
  const forbidden = await call('PATCH', '/api/streams/h1/modes', alice, { slowSeconds: 5 });
  assert.equal(forbidden.status, 403);
  assert.equal((await json(forbidden)).code, 'forbidden');
});

test('time-range replay', async () => {
  const from = Date.now();
  await call('POST', '/api/streams/h3/messages', alice, { text: 'in range' });
  const to = Date.now() + 1;
  const res = await json(await call('GET', `/api/streams/h3/messages?from=${from}&to=${to}`));
  assert.deepEqual(res.messages.map((m: { text: string }) => m.text), ['in range']);
  const none = await json(await call('GET', `/api/streams/h3/messages?from=${from - 100_000}&to=${from - 50_000}`));
  assert.deepEqual(none.messages, []);
  assert.equal((await call('GET', `/api/streams/h3/messages?from=${to}&to=${from}`)).status, 400);
});

test('state, modes, bans, rules and delete as a moderator', async () => {
  const state = await json(await call('GET', '/api/streams/h2'));
  assert.deepEqual(state.modes, DEFAULT_MODES);
  assert.equal(typeof state.viewers, 'number');
  const modes = await call('PATCH', '/api/streams/h2/modes', mod, { emoteOnly: true });
  assert.equal(modes.status, 200);
  assert.equal((await json(modes)).emoteOnly, true);
  assert.equal((await json(await call('GET', '/api/streams/h2'))).modes.emoteOnly, true);
  await call('PATCH', '/api/streams/h2/modes', mod, { emoteOnly: false });
  assert.equal((await call('PATCH', '/api/streams/h2/modes', mod, { fast: true })).status, 400);

  assert.equal((await call('PUT', '/api/streams/h2/rules', mod, { blockedTerms: ['nope'], blockLinks: false })).status, 200);
  assert.deepEqual((await json(await call('GET', '/api/streams/h2/rules', mod))).blockedTerms, ['nope']);
  assert.equal((await call('POST', '/api/streams/h2/messages', alice, { text: 'n0pe' })).status, 400);

  const posted = await json(await call('POST', '/api/streams/h2/messages', alice, { text: 'to delete' }));
  assert.equal((await call('DELETE', `/api/streams/h2/messages/${posted.id}`, mod)).status, 204);
  // Deleting again is idempotent; an id the stream never had is refused.
  assert.equal((await call('DELETE', `/api/streams/h2/messages/${posted.id}`, mod)).status, 204);
  assert.equal((await call('DELETE', '/api/streams/h2/messages/no-such-id', mod)).status, 400);
  const history = await json(await call('GET', '/api/streams/h2/messages?after=0'));
  assert.ok(!history.messages.some((m: { id: string }) => m.id === posted.id));

  const aliceId = (await devToken(server.url, 'alice')).user.id;
  assert.equal((await call('PUT', `/api/streams/h2/bans/${aliceId}`, mod, { seconds: 60 })).status, 204);
  const timedOut = await call('POST', '/api/streams/h2/messages', alice, { text: 'x' });
  assert.equal(timedOut.status, 403);
  assert.equal((await json(timedOut)).code, 'timed_out');
  assert.ok(Number(timedOut.headers.get('retry-after')) > 0);
  assert.equal((await call('DELETE', `/api/streams/h2/bans/${aliceId}`, mod)).status, 204);
  assert.equal((await call('POST', '/api/streams/h2/messages', alice, { text: 'back' })).status, 201);
  assert.equal((await call('PUT', `/api/streams/h2/bans/${aliceId}`, mod)).status, 204);
  assert.equal((await json(await call('POST', '/api/streams/h2/messages', alice, { text: 'x' }))).code, 'banned');
});

test('server-sent events: joined first, then live frames; Last-Event-ID resumes', async () => {
  await call('POST', '/api/streams/h4/messages', alice, { text: 'before' });
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/streams/h4/events`, { signal: controller.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events = readEvents(res);
  const joined = await events.next();
  assert.equal(joined.data.type, 'joined');
  assert.deepEqual(joined.data.history.map((m: { text: string }) => m.text), ['before']);
  const posted = await json(await call('POST', '/api/streams/h4/messages', alice, { text: 'live' }));
  const live = await events.next();
  assert.equal(live.data.type, 'msg');
  assert.equal(live.data.text, 'live');
  assert.equal(live.id, String(posted.seq));
  controller.abort();

  await call('POST', '/api/streams/h4/messages', alice, { text: 'missed' });
  const again = new AbortController();
  const resumed = readEvents(await fetch(`${server.url}/api/streams/h4/events`, { signal: again.signal, headers: { 'last-event-id': String(posted.seq) } }));
  const j2 = await resumed.next();
  assert.deepEqual(j2.data.history.map((m: { text: string }) => m.text), ['missed']);
  again.abort();
});

test('dev token, health, readiness, metrics and the OpenAPI document', async () => {
  const token = await call('POST', '/api/dev/token', undefined, { name: 'zed', roles: { s: ['vip'] } });
  assert.equal(token.status, 200);
  const body = await json(token);
  assert.equal(body.user.name, 'zed');
  assert.equal((await call('POST', '/api/dev/token', undefined, { name: 'bad name!' })).status, 400);
  assert.equal((await call('POST', '/api/dev/token', undefined, { name: 'x', roles: { s: ['king'] } })).status, 400);
  assert.equal((await call('GET', '/healthz')).status, 200);
  assert.equal((await call('GET', '/readyz')).status, 200);
  const metrics = await (await call('GET', '/metrics')).text();
  for (const name of ['chorus_connections', 'chorus_messages_accepted_total', 'chorus_messages_refused_total', 'chorus_deliveries_total', 'chorus_slow_consumer_drops_total', 'chorus_batch_size', 'chorus_ingest_latency_seconds']) {
    assert.ok(metrics.includes(name), name);
  }
  assert.match(metrics, /chorus_messages_refused_total\{code="too_long"\} [1-9]/);
  assert.match(metrics, /^chorus_send_door_shed 0$/m, 'the door is open on an idle server');
  const openapi = await json(await call('GET', '/openapi.json'));
  assert.ok(openapi.paths['/api/streams/{s}/messages']);
  assert.equal((await call('GET', '/docs/')).status, 200);
});

test('a live flush to a viewer is timed in chorus_fanout_delay_seconds', async () => {
  const viewer = await chatter(server, 'fdviewer', {}, 'fd');
  try {
    const before = fanoutDelayCount(await (await call('GET', '/metrics')).text());
    assert.equal((await call('POST', '/api/streams/fd/messages', alice, { text: 'timed' })).status, 201);
    await viewer.next('msg', (f) => f.text === 'timed');
    const metrics = await (await call('GET', '/metrics')).text();
    assert.ok(fanoutDelayCount(metrics) > before, 'the flush is counted');
    // Every flush of an idle test server is written well within 30 s: the widest finite bucket holds them all.
    assert.equal(Number(/^chorus_fanout_delay_seconds_bucket\{le="30"\} (\d+)$/m.exec(metrics)?.[1]), fanoutDelayCount(metrics));
  } finally {
    viewer.close();
  }
});

function fanoutDelayCount(metrics: string): number {
  return Number(/^chorus_fanout_delay_seconds_count (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

test('without development mode there is no token endpoint', async () => {
  const production = await startTestServer(['--no-dev']);
  try {
    const res = await fetch(`${production.url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.equal(res.status, 404);
  } finally {
    await production.stop();
    removeDir(production.dataDir);
  }
});
