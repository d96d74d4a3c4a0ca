// The moderator log and the user card in Chromium: the log fills when the
// tools open and follows actions live; a viewer's page never receives it; a
// click on a name opens the user's card (their lines as text, first-seen
// time, past actions) whose Timeout button acts and shows up live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { member, serverForFile } from '../support/servers.ts';
import { browserForFile, eventually, openChat, pageErrors } from '../support/browser.ts';
import type { TestClient } from '../support/ws-client.ts';

const S = 'pmodlog';
const server = await serverForFile();
const browser = await browserForFile();
const join = (name: string, roles: string[] = []): Promise<TestClient> => member(server, S, name, roles);

const actionsIn = (page: Page, list: string): Promise<string[]> => page.locator(`#${list} li.modlog-entry`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')!));

/** Every text frame the page's sockets receive, from its first. */
function watchFrames(page: Page, into: string[]): void {
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => {
    if (typeof frame.payload === 'string') into.push(frame.payload);
  }));
}

test('the moderator log follows actions live, the user card shows a user and acts on them; viewers see neither', async () => {
  const writer = await join('mlwriter');
  const wsMod = await join('mlwsmod', ['moderator']);
  const writerId = writer.frames.findLast((f) => f.type === 'welcome' && f.user !== null)!.user.id as string;
  const viewerFrames: string[] = [];
  const viewer = await openChat(browser, server, S, { name: 'mlviewer', beforeLoad: (page) => watchFrames(page, viewerFrames) });
  const mod = await openChat(browser, server, S, { name: 'mlpagemod', roles: ['moderator'] });

  const line = await writer.request({ type: 'send', stream: S, text: 'hello <b>bold</b>' });
  assert.equal((await wsMod.request({ type: 'mod', stream: S, action: 'unban', user: writerId })).type, 'ack');
  assert.equal((await wsMod.request({ type: 'mod', stream: S, action: 'modes', modes: { slowSeconds: 3 } })).type, 'ack');

  await mod.locator('#mod-panel summary').click();
  await eventually(async () => assert.deepEqual(await actionsIn(mod, 'modlog'), ['modes', 'unban']));
  assert.equal((await wsMod.request({ type: 'mod', stream: S, action: 'pin', id: line.id })).type, 'ack');
  await eventually(async () => assert.deepEqual(await actionsIn(mod, 'modlog'), ['pin', 'modes', 'unban']), 5_000);
  assert.match((await mod.locator('#modlog li.modlog-entry').first().textContent()) ?? '', /mlwsmod pin mlwriter/);

  await viewer.locator('#messages li', { hasText: 'hello' }).locator('.name').click();
  assert.equal(await viewer.locator('#user-card').isVisible(), false, 'a viewer\'s click opens no card');
  await mod.locator('#messages li', { hasText: 'hello' }).locator('.name').click();
  const card = mod.locator('#user-card');
  await card.waitFor();
  assert.equal(await mod.locator('#card-name').textContent(), 'mlwriter');
  await eventually(async () => assert.deepEqual(await actionsIn(mod, 'card-actions'), ['pin', 'unban']));
  assert.match((await mod.locator('#card-first-seen').textContent()) ?? '', /^First seen: /);
  const shown = mod.locator('#card-lines li .text');
  assert.deepEqual(await shown.allTextContents(), ['hello <b>bold</b>'], 'the line as text');
  assert.equal(await mod.locator('#card-lines b').count(), 0, 'never as HTML');

  await mod.locator('#card-timeout').click();
  await eventually(async () => assert.equal(await mod.locator('#card-status').textContent(), 'Done: timeout.'));
  await eventually(async () => assert.deepEqual(await actionsIn(mod, 'card-actions'), ['timeout', 'pin', 'unban']), 5_000);
  await eventually(async () => assert.equal((await actionsIn(mod, 'modlog'))[0], 'timeout'), 5_000);
  assert.equal((await writer.next('clear')).reason, 'timeout');

  // The viewer's page saw the timeout's clear, and no entry of the log at all.
  await eventually(async () => assert.ok(viewerFrames.some((f) => f.includes('"type":"clear"'))));
  assert.deepEqual(viewerFrames.filter((f) => f.includes('"type":"modlog"')), []);
  assert.equal(await viewer.locator('#mod-panel').isVisible(), false);
  assert.deepEqual([...pageErrors(mod), ...pageErrors(viewer)], []);
});
