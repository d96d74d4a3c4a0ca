// The consumers of the log against the whole server: the classifier (a real
// HTTP webhook started here, and a term list), analytics and reports.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import type { TestClient } from '../support/ws-client.ts';
import { apiCall } from '../support/api.ts';

// The platform's classifier, as a webhook: flags "FLAGME", fails on "FAIL500", never answers "HANGME".
let webhook: Server;
const classified: Array<{ id: string; text: string; stream: string }> = [];
let server: TestServer;
let viewerToken: string;
let modToken: string;
const STREAM = 'cons';

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

before(async () => {
  webhook = createServer(async (request, response) => {
    const message = JSON.parse(await bodyOf(request)) as { id: string; text: string; stream: string };
    classified.push(message);
    if (message.text.includes('HANGME')) return; // no answer: the check must time out
    if (message.text.includes('FAIL500')) {
      response.writeHead(500).end('broken');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ flag: message.text.includes('FLAGME'), reason: 'test model' }));
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/classify`;
  server = await startTestServer([
    '--classifier-url', url,
    '--classifier-timeout-ms', '300',
    '--classifier-terms', 'zorblax,qwerbus',
    '--report-rate-limit', '3',
  ]);
  viewerToken = (await devToken(server.url, 'viewer')).token;
  modToken = (await devToken(server.url, 'moddy', { [STREAM]: ['moderator'] })).token;
});
after(async () => {
  await server.stop();
  webhook.closeAllConnections();
  await new Promise((resolve) => webhook.close(resolve));
  removeDir(server.dataDir);
});

function call(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
  return apiCall(server.url, method, path, token, body);
}

async function send(client: TestClient, stream: string, text: string): Promise<string> {
  const ack = await client.request({ type: 'send', stream, text });
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  return ack.id as string;
}

async function historyIds(stream: string): Promise<string[]> {
  const page = (await (await call('GET', `/api/streams/${stream}/messages?after=0`)).json()) as { messages: Array<{ id: string }> };
  return page.messages.map((m) => m.id);
}

async function metricsText(): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a message the webhook flags is delivered, then retracted for viewers and gone from history', async () => {
  const stream = 'cls1';
  const viewer = await chatter(server, 'watcher', {}, stream);
  const sender = await chatter(server, 'sender', {}, stream);
  const clean = await send(sender, stream, 'hello there');
  const bad = await send(sender, stream, 'buy FLAGME now');
  await viewer.next('msg', (f) => f.id === bad);
  const retract = await viewer.next('retract', () => true, 10_000);
  assert.deepEqual(retract, { type: 'retract', stream, ids: [bad], reason: 'flagged' });
  assert.deepEqual(await historyIds(stream), [clean]);
  // The webhook received each message as its wire JSON.
  assert.ok(classified.some((m) => m.id === bad && m.text === 'buy FLAGME now' && m.stream === stream));
  // A viewer joining afterwards does not get it in history either.
  const late = await chatter(server, 'late', {}, stream);
  const joined = late.frames.find((f) => f.type === 'joined')!;
  assert.deepEqual(joined.history.map((m: { id: string }) => m.id), [clean]);
  for (const c of [viewer, sender, late]) c.close();
});

test('the term classifier retracts matching messages, look-alikes included', async () => {
  const stream = 'cls2';
  const viewer = await chatter(server, 'watcher2', {}, stream);
  const sender = await chatter(server, 'sender2', {}, stream);
  const bad = await send(sender, stream, 'such a z0rbl4x thing');
  const retract = await viewer.next('retract', () => true, 10_000);
  assert.deepEqual(retract.ids, [bad]);
  assert.equal(retract.reason, 'flagged');
  assert.deepEqual(await historyIds(stream), []);
  for (const c of [viewer, sender]) c.close();
});

test('a failing or silent webhook never blocks chat: the messages stay and the failures are counted', async () => {
  const stream = 'cls3';
  const sender = await chatter(server, 'sender3', {}, stream);
  const failed = await send(sender, stream, 'this one FAIL500');
  const hung = await send(sender, stream, 'this one HANGME');
  // Chat goes on while the checks fail.
  const after = await send(sender, stream, 'and FLAGME after them');
  await eventually(async () => !(await historyIds(stream)).includes(after), 'the later flagged message to be retracted');
  assert.deepEqual(await historyIds(stream), [failed, hung]);
  const metrics = await metricsText();
  assert.match(metrics, /chorus_classifier_checks_total\{outcome="error"\} [1-9]/);
  assert.match(metrics, /chorus_classifier_checks_total\{outcome="timeout"\} [1-9]/);
  assert.match(metrics, /chorus_classifier_checks_total\{outcome="flagged"\} [1-9]/);
  sender.close();
});

test('analytics count messages per minute and top chatters from their consumer group', async () => {
  const stream = 'stats';
  const counts = { ann: 4, bob: 2, cyd: 1 };
  const clients: TestClient[] = [];
  for (const [name, count] of Object.entries(counts)) {
    const client = await chatter(server, name, {}, stream);
    clients.push(client);
    for (let i = 0; i < count; i++) await send(client, stream, `message ${i} from ${name}`);
  }
  type Analytics = { stream: string; perMinute: Array<{ minute: number; messages: number }>; topChatters: Array<{ name: string; messages: number }> };
  let analytics: Analytics | undefined;
  await eventually(async () => {
    analytics = (await (await call('GET', `/api/streams/${stream}/analytics`)).json()) as Analytics;
    return analytics.perMinute.reduce((sum, m) => sum + m.messages, 0) === 7;
  }, 'seven messages counted');
  assert.equal(analytics!.stream, stream);
  assert.equal(analytics!.perMinute.length, 60);
  assert.deepEqual(analytics!.topChatters.map((c) => [c.name, c.messages]), [['ann', 4], ['bob', 2], ['cyd', 1]]);
  // A stream nobody wrote in has sixty empty minutes.
  const quiet = (await (await call('GET', '/api/streams/quiet/analytics')).json()) as Analytics;
  assert.equal(quiet.perMinute.length, 60);
  assert.ok(quiet.perMinute.every((m) => m.messages === 0));
  assert.deepEqual(quiet.topChatters, []);
  await eventually(async () => /chorus_consumer_lag\{group="analytics"\} 0\b/.test(await metricsText()), 'analytics lag 0');
  for (const c of clients) c.close();
});

test('reports: viewers file them (bounded, rate limited), moderators list and dismiss them, viewers may not', async () => {
  const path = `/api/streams/${STREAM}/reports`;
  assert.equal((await call('POST', path, undefined, { messageId: 'm1', reason: 'spam' })).status, 401);
  const filed = await call('POST', path, viewerToken, { messageId: 'm1', reason: 'spam' });
  assert.equal(filed.status, 201);
  const { id } = (await filed.json()) as { id: string };
  // The same viewer reporting the same message again gets the same report.
  assert.equal(((await (await call('POST', path, viewerToken, { messageId: 'm1', reason: 'spam again' })).json()) as { id: string }).id, id);
  const tooLong = await call('POST', path, viewerToken, { messageId: 'm2', reason: 'x'.repeat(501) });
  assert.equal(tooLong.status, 400);
  assert.equal(((await tooLong.json()) as { code: string }).code, 'invalid');
  assert.equal((await call('POST', path, viewerToken, { messageId: 'm3', reason: 'rude' })).status, 201);
  // The fourth report in a minute is over the limit of three.
  const limited = await call('POST', path, viewerToken, { messageId: 'm4', reason: 'rude' });
  assert.equal(limited.status, 429);
  assert.equal(((await limited.json()) as { code: string }).code, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);

  assert.equal((await call('GET', path, viewerToken)).status, 403);
  assert.equal((await call('GET', path)).status, 401);
  assert.equal((await call('DELETE', `${path}/${id}`, viewerToken)).status, 403);
  const listed = (await (await call('GET', path, modToken)).json()) as { reports: Array<{ id: string; messageId: string; reason: string; reporter: { name: string } }> };
  assert.deepEqual(listed.reports.map((r) => [r.messageId, r.reason, r.reporter.name]), [['m3', 'rude', 'viewer'], ['m1', 'spam', 'viewer']]);
  // A moderator of this stream is not one of another.
  assert.equal((await call('GET', '/api/streams/elsewhere/reports', modToken)).status, 403);

  assert.equal((await call('DELETE', `${path}/${id}`, modToken)).status, 204);
  assert.equal((await call('DELETE', `${path}/${id}`, modToken)).status, 400);
  const left = (await (await call('GET', path, modToken)).json()) as { reports: Array<{ messageId: string }> };
  assert.deepEqual(left.reports.map((r) => r.messageId), ['m3']);
  assert.match(await metricsText(), /chorus_reports_received_total [1-9]/);
});

test('the new endpoints are in the OpenAPI document', async () => {
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  assert.ok(doc.paths['/api/streams/{s}/analytics']?.get);
  assert.ok(doc.paths['/api/streams/{s}/reports']?.post);
  assert.ok(doc.paths['/api/streams/{s}/reports']?.get);
  assert.ok(doc.paths['/api/streams/{s}/reports/{id}']?.delete);
});
