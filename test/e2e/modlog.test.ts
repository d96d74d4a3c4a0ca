// The audit log end to end over real sockets: moderator actions from v1, HTTP
// and a report's resolution are recorded once each, pushed live as `modlog`
// frames to moderators' sockets only, paged by GET .../modlog for the
// broadcaster and moderators (403 for viewers), and summed up on the user card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, member, serverForFile } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import type { Frame, TestClient } from '../support/ws-client.ts';

const S = 'audited';
const server = await serverForFile();
const join = (name: string, roles: string[] = []): Promise<TestClient> => member(server, S, name, roles);

/** The user id the server gave this client's sign-in (the same name always gets the same id). */
const idOf = (client: TestClient): string => client.frames.findLast((f) => f.type === 'welcome' && f.user !== null)!.user.id as string;
const get = async (path: string, token?: string): Promise<Response> => apiCall(server.url, 'GET', `/api/streams/${S}/${path}`, token);

test('every action is recorded once and pushed to moderators\' sockets only; GET pages it for moderators and the broadcaster', async () => {
  const mod = await join('almod', ['moderator']);
  const viewer = await join('alviewer');
  const author = await join('alauthor');
  const { token: modToken, user: modUser } = await devToken(server.url, 'almod', { [S]: ['moderator'] });
  const line = await author.request({ type: 'send', stream: S, text: 'something <b>rude</b>' });

  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'delete', id: line.id, reason: 'rude' })).type, 'ack');
  const deleted = await mod.next('modlog');
  assert.equal(deleted.stream, S);
  assert.equal(deleted.action, 'delete');
  assert.deepEqual(deleted.actor, { id: modUser.id, name: modUser.name });
  assert.deepEqual(deleted.user, { id: idOf(author), name: 'alauthor' });
  assert.equal(deleted.message, line.id);
  assert.equal(deleted.reason, 'rude');
  assert.equal(deleted.seq, line.seq, 'the stream\'s seq when it was done');

  const authorId = deleted.user.id as string;
  assert.equal((await apiCall(server.url, 'PUT', `/api/streams/${S}/bans/${authorId}`, modToken, { seconds: 60, reason: 'cool off' })).status, 204);
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'unban', user: authorId })).type, 'ack');
  // Slow mode stays off (the next test's author sends two lines at once); setting a mode to its value is an action too.
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'modes', modes: { slowSeconds: 0 } })).type, 'ack');
  // A refused action is not recorded.
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'delete', id: 'no-such-line' })).type, 'error');
  const live = [deleted, await mod.next('modlog'), await mod.next('modlog'), await mod.next('modlog')];
  assert.deepEqual(live.map((f) => f.action), ['delete', 'timeout', 'unban', 'modes']);
  assert.equal(live[1]!.reason, 'cool off');
  assert.equal(live[1]!.detail, '60 s');

  // The viewer's socket has seen everything after those actions, and no modlog frame.
  const sentinel = await (await join('alsentinel')).request({ type: 'send', stream: S, text: 'sentinel' });
  await viewer.nextMatching((f: Frame) => (f.type === 'msg' && f.id === sentinel.id) || (f.type === 'batch' && f.msgs.some((m: { id: string }) => m.id === sentinel.id)));
  assert.deepEqual(viewer.frames.filter((f) => f.type === 'modlog'), []);
  assert.deepEqual(author.frames.filter((f) => f.type === 'modlog'), []);

  // GET pages newest first by cursor; the page equals what was pushed live.
  const strip = (frame: Frame) => Object.fromEntries(Object.entries(frame).filter(([key]) => key !== 'type'));
  const first = await (await get('modlog?limit=3', modToken)).json() as { entries: Frame[]; next: number };
  assert.deepEqual(first.entries, live.slice(1).reverse().map(strip));
  const second = await (await get(`modlog?limit=3&before=${first.next}`, modToken)).json() as { entries: Frame[]; next: number | null };
  assert.deepEqual(second, { entries: [strip(deleted)], next: null });
  const aboutAuthor = await (await get(`modlog?user=${authorId}`, modToken)).json() as { entries: Frame[] };
  assert.deepEqual(aboutAuthor.entries.map((e) => e.action), ['unban', 'timeout', 'delete']);

  const owner = (await devToken(server.url, 'alowner', { [S]: ['broadcaster'] })).token;
  assert.equal((await get('modlog', owner)).status, 200, 'the broadcaster may read it');
  const viewerToken = (await devToken(server.url, 'alviewer')).token;
  assert.equal((await get('modlog', viewerToken)).status, 403);
  assert.equal((await get(`users/${authorId}/card`, viewerToken)).status, 403);
  assert.equal((await get('modlog')).status, 401);
  const elsewhere = (await devToken(server.url, 'alother', { elsewhere: ['moderator'] })).token;
  assert.equal((await get('modlog', elsewhere)).status, 403, 'a moderator of another stream may not');
  assert.equal((await get('modlog?limit=201', modToken)).status, 400, 'the page size is bounded');
});

test('a report\'s resolution is recorded with the report\'s reason; the user card sums a user up', async () => {
  const mod = await join('rcmod', ['moderator']);
  const author = await join('rcauthor');
  const modToken = (await devToken(server.url, 'rcmod', { [S]: ['moderator'] })).token;
  const one = await author.request({ type: 'send', stream: S, text: 'first words' });
  await author.request({ type: 'send', stream: S, text: 'second words' });
  const authorId = idOf(author);
  const before = await (await get(`users/${authorId}/card`, modToken)).json() as any;
  assert.deepEqual(before.lines.map((m: Frame) => m.text), ['first words', 'second words']);
  assert.deepEqual(before.actions, []);
  const reporter = (await devToken(server.url, 'rcreporter')).token;
  const filed = await (await apiCall(server.url, 'POST', `/api/streams/${S}/reports`, reporter, { messageId: one.id, reason: 'spam' })).json() as { id: string };
  assert.equal((await apiCall(server.url, 'POST', `/api/streams/${S}/reports/${filed.id}/resolve`, modToken, { action: 'timeout', seconds: 30 })).status, 204);
  const timeout = await mod.next('modlog', (f) => f.action === 'timeout');
  assert.equal(timeout.reason, 'report: spam');
  const resolved = await mod.next('modlog', (f) => f.action === 'resolve');
  assert.equal(resolved.detail, 'timeout');
  assert.equal(resolved.reason, 'spam');
  assert.equal(resolved.message, one.id);

  assert.equal(resolved.user.id, authorId);
  const card = await (await get(`users/${authorId}/card`, modToken)).json() as any;
  assert.deepEqual(card.user, { id: authorId, name: 'rcauthor' });
  assert.equal(typeof card.firstSeen, 'number');
  assert.ok(card.firstSeen <= one.ts);
  // The timeout retracted their recent lines: the card shows what history still shows.
  assert.deepEqual(card.lines, []);
  assert.deepEqual(card.actions.map((e: Frame) => e.action), ['resolve', 'timeout']);
  const nobody = await (await get('users/nobody/card', modToken)).json() as any;
  assert.deepEqual(nobody, { user: { id: 'nobody' }, firstSeen: null, lines: [], actions: [] });
});
