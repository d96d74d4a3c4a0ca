// The moderator's page in Chromium: the chat delay seen from a moderator's
// page and a viewer's, the held queue's approve, the reports queue's one-click
// timeout, and the first-time chatter's highlight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { devToken, member, serverForFile } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { browserForFile, eventually, openChat, pageErrors } from '../support/browser.ts';
import type { TestClient } from '../support/ws-client.ts';

const server = await serverForFile();
const browser = await browserForFile();
const author = (name: string, stream: string, roles: string[] = []): Promise<TestClient> => member(server, stream, name, roles);
const lines = (page: Page, text: string) => page.locator('#messages li', { hasText: text });
async function openTools(page: Page): Promise<void> {
  await page.locator('#mod-panel summary').click();
}

test('chat delay: the moderator\'s page shows a line at once, the viewer\'s after the delay; a line deleted within it never shows', async () => {
  const mod = await openChat(browser, server, 'pdelay', { name: 'pagemod', roles: ['moderator'] });
  const viewer = await openChat(browser, server, 'pdelay', { name: 'pageviewer' });
  await openTools(mod);
  await mod.locator('#mode-delay').selectOption('4');
  await eventually(async () => assert.equal(await mod.locator('#mod-status').textContent(), 'Modes changed.'));
  const writer = await author('pdwriter', 'pdelay');
  const deleter = await author('pddeleter', 'pdelay', ['moderator']);

  const sent = Date.now();
  await writer.request({ type: 'send', stream: 'pdelay', text: 'wait for it' });
  await lines(mod, 'wait for it').waitFor({ timeout: 2_000 });
  assert.equal(await lines(viewer, 'wait for it').count(), 0, 'not yet on the viewer\'s page');
  await lines(viewer, 'wait for it').waitFor({ timeout: 8_000 });
  assert.ok(Date.now() - sent >= 3_500, `shown after ${Date.now() - sent} ms`);

  const oops = await writer.request({ type: 'send', stream: 'pdelay', text: 'regrettable words' });
  await lines(mod, 'regrettable words').waitFor({ timeout: 2_000 });
  assert.equal((await deleter.request({ type: 'mod', stream: 'pdelay', action: 'delete', id: oops.id })).type, 'ack');
  await writer.request({ type: 'send', stream: 'pdelay', text: 'after the deleted one' });
  await lines(viewer, 'after the deleted one').waitFor({ timeout: 8_000 });
  assert.equal(await lines(viewer, 'regrettable words').count(), 0, 'the deleted line never reached the viewer\'s page');
  assert.deepEqual([...pageErrors(mod), ...pageErrors(viewer)], []);
});

test('held queue: a first-time chatter\'s line shows in the moderator\'s queue live; Approve publishes it, highlighted and marked reviewed', async () => {
  const mod = await openChat(browser, server, 'pheld', { name: 'heldmod', roles: ['moderator'] });
  const viewer = await openChat(browser, server, 'pheld', { name: 'heldviewer' });
  await openTools(mod);
  await mod.locator('#mode-hold-first').check();
  await eventually(async () => assert.equal(await mod.locator('#mod-status').textContent(), 'Modes changed.'));
  const newbie = await author('heldnewbie', 'pheld');
  assert.equal((await newbie.request({ type: 'send', stream: 'pheld', text: 'hi everyone <b>x</b>' })).code, 'held');
  const item = mod.locator('#held-queue li.queue-item', { hasText: 'hi everyone' });
  await item.waitFor();
  assert.equal(await item.locator('.text').textContent(), 'hi everyone <b>x</b>', 'shown as text, never as HTML');
  await item.locator('button.approve').click();
  await item.waitFor({ state: 'detached' });
  const shown = lines(viewer, 'hi everyone');
  await shown.waitFor();
  assert.match((await shown.getAttribute('class')) ?? '', /first-message/);
  assert.equal(await shown.locator('.mark-reviewed').count(), 1);
  assert.equal((await newbie.next('reviewed')).outcome, 'approved');
  assert.deepEqual([...pageErrors(mod), ...pageErrors(viewer)], []);
});

test('reports queue: the reported line with its context and reason; Timeout resolves it in one click', async () => {
  const writer = await author('rqwriter', 'preports');
  const ids: string[] = [];
  for (const text of ['one', 'two', 'you are awful', 'three']) ids.push((await writer.request({ type: 'send', stream: 'preports', text })).id);
  const reporter = await devToken(server.url, 'rqreporter');
  assert.equal((await apiCall(server.url, 'POST', '/api/streams/preports/reports', reporter.token, { messageId: ids[2], reason: 'insult' })).status, 201);
  const mod = await openChat(browser, server, 'preports', { name: 'rqmod', roles: ['moderator'] });
  await openTools(mod);
  const item = mod.locator('#reports-queue li.report');
  await item.waitFor();
  assert.equal(await item.locator('.reported .text').textContent(), 'you are awful');
  assert.deepEqual(await item.locator('.report-context .text').allTextContents(), ['one', 'two', 'you are awful', 'three']);
  assert.equal(await item.locator('.queue-reason').textContent(), 'rqreporter: insult');
  await item.locator('button.resolve-timeout').click();
  await item.waitFor({ state: 'detached' });
  assert.equal((await writer.next('clear')).reason, 'timeout');
  assert.deepEqual(pageErrors(mod), []);
});
