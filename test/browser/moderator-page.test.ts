// The moderator's page in Chromium: a deleted line leaves a placeholder
// naming who deleted it, a ban asks for confirmation, no action aimed at the
// broadcaster is offered, a restricted user's line is marked on the
// moderator's page and absent from a viewer's, Clear chat empties every
// page, and a warned user acknowledges the warning from the page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { devToken, member, serverForFile } from '../support/servers.ts';
import { browserForFile, eventually, openChat, pageErrors, say } from '../support/browser.ts';
import type { TestClient } from '../support/ws-client.ts';

const server = await serverForFile();
const browser = await browserForFile();
const author = (name: string, stream: string, roles: string[] = []): Promise<TestClient> => member(server, stream, name, roles);
const lines = (page: Page, text: string) => page.locator('#messages li', { hasText: text });

test('a deleted line leaves a placeholder naming the moderator, never its text', async () => {
  const viewer = await openChat(browser, server, 'pdel', { name: 'delviewer' });
  const writer = await author('delwriter', 'pdel');
  const mod = await author('delmod', 'pdel', ['moderator']);
  const line = await writer.request({ type: 'send', stream: 'pdel', text: 'a <i>regrettable</i> line' });
  await lines(viewer, 'regrettable').waitFor();
  assert.equal((await mod.request({ type: 'mod', stream: 'pdel', action: 'delete', id: line.id })).type, 'ack');
  const placeholder = viewer.locator(`#messages li[data-id="${line.id}"]`);
  await eventually(async () => assert.equal(await placeholder.textContent(), 'Message deleted by delmod'));
  assert.equal(await lines(viewer, 'regrettable').count(), 0);
  assert.equal(await viewer.locator('#messages i').count(), 0, 'no markup from chat text');
  assert.deepEqual(pageErrors(viewer), []);
});

test('a ban asks for a second click; no action on the broadcaster is offered', async () => {
  const mod = await openChat(browser, server, 'pban', { name: 'banmod', roles: ['moderator'] });
  const caster = await author('bancaster', 'pban', ['broadcaster']);
  const writer = await author('banwriter', 'pban');
  await caster.request({ type: 'send', stream: 'pban', text: 'welcome to my stream' });
  await writer.request({ type: 'send', stream: 'pban', text: 'spam spam spam' });
  const casterRow = lines(mod, 'welcome to my stream');
  const writerRow = lines(mod, 'spam spam spam');
  await writerRow.waitFor();
  const aimed = '.mod-actions button:not(.mod-pin)';
  assert.equal(await casterRow.locator(aimed).count(), 0, 'no action on the broadcaster offered');
  assert.equal(await casterRow.locator('.mod-actions button.mod-pin').count(), 1, 'pinning their line is');
  assert.equal(await writerRow.locator(aimed).count(), 4);

  await writerRow.locator('button.mod-ban').click();
  await eventually(async () => assert.equal(await writerRow.locator('button.mod-ban').textContent(), 'Confirm ban?'));
  // One click bans nobody: the writer still chats.
  assert.equal((await writer.request({ type: 'send', stream: 'pban', text: 'still here' })).type, 'ack');
  assert.equal(writer.frames.filter((f) => f.type === 'clear').length, 0);
  await writerRow.locator('button.mod-ban').click();
  assert.equal((await writer.next('clear')).reason, 'ban');
  assert.deepEqual(pageErrors(mod), []);
});

test('a restricted line is marked on the moderator\'s page and never on a viewer\'s; Clear chat empties every page', async () => {
  const mod = await openChat(browser, server, 'pshadow', { name: 'shadowmod', roles: ['moderator'] });
  const viewer = await openChat(browser, server, 'pshadow', { name: 'shadowviewer' });
  const shadowed = await author('shadowed', 'pshadow');
  const { user } = await devToken(server.url, 'shadowed');
  const modClient = await author('shadowmod2', 'pshadow', ['moderator']);
  assert.equal((await modClient.request({ type: 'mod', stream: 'pshadow', action: 'restrict', user: user.id })).type, 'ack');
  await shadowed.request({ type: 'send', stream: 'pshadow', text: 'sneaky advert' });
  await modClient.request({ type: 'send', stream: 'pshadow', text: 'an ordinary line' });
  const marked = lines(mod, 'sneaky advert');
  await marked.waitFor();
  assert.match((await marked.getAttribute('class')) ?? '', /restricted-line/);
  assert.equal(await marked.locator('.mark-restricted').count(), 1);
  await lines(viewer, 'an ordinary line').waitFor();
  assert.equal(await lines(viewer, 'sneaky advert').count(), 0);

  await mod.locator('#mod-panel summary').click();
  await mod.locator('#mod-clear').click();
  for (const page of [mod, viewer]) {
    await eventually(async () => assert.equal(await page.locator('#messages li').textContent(), 'Chat was cleared by a moderator.'));
    assert.equal(await lines(page, 'an ordinary line').count(), 0);
  }
  assert.deepEqual([...pageErrors(mod), ...pageErrors(viewer)], []);
});

test('a warned user sees the warning, acknowledges it from the page, and chats again', async () => {
  const page = await openChat(browser, server, 'pwarn', { name: 'warnee' });
  const { user } = await devToken(server.url, 'warnee');
  const mod = await author('warnmod', 'pwarn', ['moderator']);
  assert.equal((await mod.request({ type: 'mod', stream: 'pwarn', action: 'warn', user: user.id, reason: 'no <b>shouting</b>' })).type, 'ack');
  // Shown as soon as it is given, as text.
  const button = page.locator('#acknowledge');
  await button.waitFor();
  assert.equal(await page.locator('#send-status').textContent(), 'A moderator warned you: no <b>shouting</b>');
  await say(page, 'HELLO');
  await eventually(async () => assert.match((await page.locator('#send-status').textContent()) ?? '', /warned you: no <b>shouting<\/b>\. Acknowledge/));
  assert.equal(await page.locator('#send-status b').count(), 0);
  await button.click();
  await eventually(async () => assert.equal(await button.isHidden(), true));
  await say(page, 'hello, quietly');
  await lines(page, 'hello, quietly').waitFor();
  await mod.next('msg', (f) => f.text === 'hello, quietly');
  assert.deepEqual(pageErrors(page), []);
});
