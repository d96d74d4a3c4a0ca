// The chat page in Chromium: replying from a line, the quote above a reply,
// the pinned line at the top, announcements and the host site's notices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatter, serverForFile } from '../support/servers.ts';
import { browserForFile, eventually, openChat, pageErrors, say } from '../support/browser.ts';
import { apiCall } from '../support/api.ts';

const server = await serverForFile();
const browser = await browserForFile();

test("a viewer replies from a line's Reply button; every page shows the quote above the reply", async () => {
  const alice = await openChat(browser, server, 'pagethreads', { name: 'alice' });
  const bob = await openChat(browser, server, 'pagethreads', { name: 'bob' });
  await say(alice, 'what game is next? <b>bold</b>');
  const firstSeen = bob.locator('#messages li', { hasText: 'what game is next?' });
  await firstSeen.waitFor();
  const parentId = await firstSeen.getAttribute('data-id');
  const parentRow = bob.locator(`#messages li[data-id="${parentId}"]`);

  await parentRow.hover();
  await parentRow.getByRole('button', { name: 'Reply to alice' }).click();
  assert.equal(await bob.locator('#replying').isVisible(), true);
  assert.equal(await bob.locator('#replying .reply-target').textContent(), 'Replying to @alice: what game is next? <b>bold</b>');
  await say(bob, 'chess, I think');
  await eventually(async () => assert.equal(await bob.locator('#replying').isVisible(), false));

  for (const page of [alice, bob]) {
    const reply = page.locator('#messages li', { hasText: 'chess, I think' });
    await eventually(async () => assert.equal(await reply.locator('.reply-quote').count(), 1));
    assert.equal(await reply.locator('.reply-quote').getAttribute('data-parent'), parentId);
    assert.equal(await reply.locator('.reply-quote').textContent(), 'Replying to @alice: what game is next? <b>bold</b>');
    // Above the line: the quote comes before the name.
    assert.equal(await reply.locator(':scope > *').first().getAttribute('class'), 'reply-quote');
    assert.equal(await page.locator('#messages b').count(), 0);
  }

  // A cancelled reply sends a plain line.
  await parentRow.hover();
  await parentRow.getByRole('button', { name: 'Reply to alice' }).click();
  await bob.getByRole('button', { name: 'Cancel reply' }).click();
  await say(bob, 'never mind');
  const plain = alice.locator('#messages li', { hasText: 'never mind' });
  await plain.waitFor();
  await eventually(async () => assert.ok(await plain.getAttribute('data-id')));
  assert.equal(await plain.locator('.reply-quote').count(), 0);
  assert.deepEqual([...pageErrors(alice), ...pageErrors(bob)], []);
});

test('a moderator pins a line from its menu: it is at the top of every page until unpinned', async () => {
  const mod = await openChat(browser, server, 'pagepins', { name: 'moddy', roles: ['moderator'] });
  const viewer = await openChat(browser, server, 'pagepins', { name: 'viewer' });
  await say(viewer, 'pin this one');
  const row = mod.locator('#messages li', { hasText: 'pin this one' });
  await row.waitFor();
  await row.hover();
  await row.getByRole('button', { name: 'Pin this line' }).click();

  for (const page of [mod, viewer]) {
    await page.locator('#pinned').waitFor();
    assert.equal(await page.locator('#pinned .text').textContent(), 'pin this one');
    assert.equal(await page.locator('#pinned .name').textContent(), 'viewer');
    assert.equal(await page.locator('#pinned .pinned-by').textContent(), 'by moddy');
    // At the top: above the list.
    const [pinTop, listTop] = await Promise.all([page.locator('#pinned').boundingBox(), page.locator('#messages').boundingBox()]);
    assert.ok(pinTop!.y < listTop!.y);
  }
  assert.equal(await viewer.locator('#pinned .unpin').count(), 0, 'no Unpin button for a viewer');
  const late = await openChat(browser, server, 'pagepins');
  await late.locator('#pinned').waitFor();

  await mod.getByRole('button', { name: 'Unpin' }).click();
  for (const page of [mod, viewer, late]) await eventually(async () => assert.equal(await page.locator('#pinned').isVisible(), false));
  assert.deepEqual([...pageErrors(mod), ...pageErrors(viewer), ...pageErrors(late)], []);
});

test('announcements are highlighted in their colour; notices show the host sentence', async () => {
  const viewer = await openChat(browser, server, 'pagenews');
  const mod = await chatter(server, 'moddy', { pagenews: ['moderator'] }, 'pagenews');
  await mod.request({ type: 'send', stream: 'pagenews', text: 'big news', announce: 'green' });
  const announcement = viewer.locator('#messages li', { hasText: 'big news' });
  await announcement.waitFor();
  assert.match((await announcement.getAttribute('class'))!, /\bannouncement announcement-green\b/);

  const res = await apiCall(server.url, 'POST', '/api/streams/pagenews/notices', undefined, { kind: 'raid', user: { id: 'u9', name: 'Raider' }, system: '5 raiders from Raider have joined!', viewers: 5 });
  assert.equal(res.status, 201);
  const notice = viewer.locator('#messages li.system-notice');
  await notice.waitFor();
  assert.equal(await notice.locator('.system-text').textContent(), '5 raiders from Raider have joined!');
  assert.equal(await notice.getAttribute('data-notice'), 'raid');
  mod.close();
  assert.deepEqual(pageErrors(viewer), []);
});
