// The chat delay over real WebSockets: moderators see a line at once, every
// other viewer chatDelaySeconds later; a line deleted inside the delay
// reaches no viewer, late joiners included (history too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestClient } from '../support/ws-client.ts';
import { devToken, member, serverForFile } from '../support/servers.ts';

const S = 'delayed';
const DELAY_MS = 2_000;
const server = await serverForFile();
const join = (name: string, roles: string[] = []): Promise<TestClient> => member(server, S, name, roles);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const joinedHistory = (c: TestClient): string[] => (c.frames.find((f) => f.type === 'joined')!.history as Array<{ text: string }>).map((m) => m.text);

test('moderators see a line at once, viewers only after the delay; a line deleted within it never reaches viewers or late joiners', async () => {
  const mod = await join('delaymod', ['moderator']);
  const viewer = await join('delayviewer');
  const author = await join('delayauthor');
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'modes', modes: { chatDelaySeconds: DELAY_MS / 1000 } })).type, 'ack');
  assert.equal((await viewer.next('state', (f) => f.modes.chatDelaySeconds === 2)).modes.chatDelaySeconds, 2);

  const sent = Date.now();
  const ack = await author.request({ type: 'send', stream: S, text: 'a delayed line' });
  await mod.next('msg', (f) => f.id === ack.id, 1_000);
  const atModerator = Date.now() - sent;
  await viewer.next('msg', (f) => f.id === ack.id, 5_000);
  const atViewer = Date.now() - sent;
  assert.ok(atModerator < DELAY_MS / 2, `the moderator got it after ${atModerator} ms`);
  assert.ok(atViewer >= DELAY_MS - 100, `the viewer got it after ${atViewer} ms`);

  const oops = await author.request({ type: 'send', stream: S, text: 'oops, my address' });
  await mod.next('msg', (f) => f.id === oops.id, 1_000);
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'delete', id: oops.id })).type, 'ack');
  const late = await join('delaylate');
  const kept = await author.request({ type: 'send', stream: S, text: 'this one stays' });
  const later = await join('delaylater');
  assert.equal(joinedHistory(later).includes('this one stays'), false, 'history holds no line younger than the delay');
  const polled = (await (await fetch(`${server.url}/api/streams/${S}/messages`)).json()) as { messages: Array<{ id: string }>; next: number };
  assert.equal(polled.messages.some((m) => m.id === kept.id), false, 'nor does an HTTP read by a viewer');
  assert.ok(polled.next < kept.seq, 'and its next poll starts before the line held back');
  const { token } = await devToken(server.url, 'delaymod', { [S]: ['moderator'] });
  const modRead = (await (await fetch(`${server.url}/api/streams/${S}/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: Array<{ id: string }> };
  assert.equal(modRead.messages.some((m) => m.id === kept.id), true, 'a moderator\'s HTTP read has it at once');
  await viewer.next('msg', (f) => f.id === kept.id, 5_000);
  await later.next('msg', (f) => f.id === kept.id, 5_000);
  await late.next('msg', (f) => f.id === kept.id, 5_000);
  await sleep(300);
  for (const c of [viewer, late, later]) {
    assert.equal(c.liveMessages(S).some((m) => m.id === oops.id), false, 'the deleted line never arrived live');
    assert.equal(joinedHistory(c).includes('oops, my address'), false, 'nor in history');
    assert.equal(c.liveMessages(S).filter((m) => m.id === kept.id).length, 1, 'the kept line arrived once');
  }
  assert.deepEqual(joinedHistory(await join('delaylatest')).slice(-2), ['a delayed line', 'this one stays']);

  // Off again: lines reach viewers at once.
  assert.equal((await mod.request({ type: 'mod', stream: S, action: 'modes', modes: { chatDelaySeconds: 0 } })).type, 'ack');
  await viewer.next('state', (f) => f.modes.chatDelaySeconds === 0, 5_000);
  const quick = Date.now();
  const now = await author.request({ type: 'send', stream: S, text: 'no delay now' });
  await viewer.next('msg', (f) => f.id === now.id, 1_000);
  assert.ok(Date.now() - quick < DELAY_MS / 2);
});
