// The chat page keeps up with what a person does: each test does what a new
// user would, in a real Chromium against the whole server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { devToken, serverForFile } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { browserForFile, eventually, openChat, pageErrors, say } from '../support/browser.ts';

const server = await serverForFile();
const browser = await browserForFile();

async function moderatorToken(stream: string, name = `mod_${stream.replaceAll('-', '_')}`): Promise<string> {
  return (await devToken(server.url, name, { [stream]: ['broadcaster'] })).token;
}

async function userId(name: string): Promise<string> {
  return (await devToken(server.url, name)).user.id;
}

const sendStatus = (page: Page): Promise<string> => page.locator('#send-status').textContent().then((t) => t ?? '');

describe('the chat page keeps up', () => {
  test('a refused message stays in the box, so nothing typed is lost', async () => {
    const mod = await moderatorToken('refused');
    assert.equal((await apiCall(server.url, 'PUT', '/api/streams/refused/rules', mod, { blockedTerms: ['pineapple'], blockLinks: false })).status, 200);
    const page = await openChat(browser, server, 'refused', { name: 'typist' });
    await say(page, 'a long thought about pineapple pizza');
    await page.locator('#send-status[data-kind="blocked"]').waitFor();
    assert.equal(await page.locator('[aria-label="Send a message"]').inputValue(), 'a long thought about pineapple pizza');
    // An accepted one still clears the box.
    await say(page, 'a thought about pizza');
    await page.locator('#messages li[data-id]', { hasText: 'a thought about pizza' }).waitFor();
    assert.equal(await page.locator('[aria-label="Send a message"]').inputValue(), '');
  });

  test('a timed-out viewer is told at once, with the time left, before trying to send', async () => {
    const mod = await moderatorToken('told');
    const page = await openChat(browser, server, 'told', { name: 'toldtim' });
    const id = await userId('toldtim');
    assert.equal((await apiCall(server.url, 'PUT', `/api/streams/told/bans/${id}`, mod, { seconds: 120 })).status, 204);
    await eventually(async () => assert.match(await sendStatus(page), /^You are timed out: 1(19|20) s$/));
    assert.equal(await page.locator('#send-button').isDisabled(), true);
    await eventually(async () => assert.match(await sendStatus(page), /^You are timed out: 11[0-8] s$/), 4_000);
  });

  test('a banned viewer is told at once and cannot send', async () => {
    const mod = await moderatorToken('told-ban');
    const page = await openChat(browser, server, 'told-ban', { name: 'bannedbo' });
    const id = await userId('bannedbo');
    assert.equal((await apiCall(server.url, 'PUT', `/api/streams/told-ban/bans/${id}`, mod)).status, 204);
    await eventually(async () => assert.equal(await sendStatus(page), 'You are banned from this chat.'));
    assert.equal(await page.locator('#send-button').isDisabled(), true);
    // Someone else's ban says nothing to this viewer.
    const other = await openChat(browser, server, 'told-ban', { name: 'bystander' });
    assert.equal((await apiCall(server.url, 'PUT', `/api/streams/told-ban/bans/${await userId('troll2')}`, mod)).status, 204);
    await other.waitForTimeout(300);
    assert.equal(await sendStatus(other), '');
  });

  test('turning slow mode off stops the countdown and enables the send button', async () => {
    const mod = await moderatorToken('slow-off');
    assert.equal((await apiCall(server.url, 'PATCH', '/api/streams/slow-off/modes', mod, { slowSeconds: 60 })).status, 200);
    const page = await openChat(browser, server, 'slow-off', { name: 'slowpoke' });
    await say(page, 'first');
    await eventually(async () => assert.match(await sendStatus(page), /^Slow mode: you can send again in \d+ s$/));
    assert.equal(await page.locator('#send-button').isDisabled(), true);
    assert.equal((await apiCall(server.url, 'PATCH', '/api/streams/slow-off/modes', mod, { slowSeconds: 0 })).status, 200);
    await page.locator('#send-button:enabled').waitFor({ timeout: 3_000 });
    assert.equal(await sendStatus(page), '');
    await say(page, 'second');
    await page.locator('#messages li[data-id]', { hasText: 'second' }).waitFor();
  });

  test('timestamps are off by default, a toggle shows them, and the page remembers it', async () => {
    const page = await openChat(browser, server, 'times', { name: 'clocky' });
    await say(page, 'what time is it');
    // The server's copy, which replaces the sender's own row once it arrives (a style read on a replaced row is empty).
    const row = page.locator('#messages li[data-id]:not(.own)', { hasText: 'what time is it' });
    await row.waitFor();
    // The time is drawn before the line (a pseudo-element: the line's text stays the line).
    const shownTime = (): Promise<string> => row
      .evaluate((r) => (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }).getComputedStyle(r, '::before').content);
    assert.equal(await shownTime(), 'none');
    await page.getByLabel('Timestamps').check();
    assert.match(await shownTime(), /^"\d\d:\d\d"$/);
    assert.match((await row.textContent()) ?? '', /^clocky: what time is it$/);
    await page.reload();
    await page.locator('#messages li[data-id]', { hasText: 'what time is it' }).waitFor();
    assert.equal(await page.getByLabel('Timestamps').isChecked(), true);
    assert.match(await shownTime(), /^"\d\d:\d\d"$/);
  });

  test('links are clickable (http and https only, opened safely) where the stream allows them', async () => {
    const page = await openChat(browser, server, 'linky', { name: 'linker' });
    const viewer = await openChat(browser, server, 'linky');
    await say(page, 'see https://example.com/a?b=1 and http://example.org. not javascript:alert(1) nor ftp://x.test');
    const row = viewer.locator('#messages li', { hasText: 'see https' });
    await row.waitFor();
    const links = await row.locator('a').evaluateAll((anchors) => anchors.map((a) => ({
      href: a.getAttribute('href'), text: a.textContent, rel: a.getAttribute('rel'), target: a.getAttribute('target'),
    })));
    assert.deepEqual(links, [
      { href: 'https://example.com/a?b=1', text: 'https://example.com/a?b=1', rel: 'noopener noreferrer', target: '_blank' },
      { href: 'http://example.org/', text: 'http://example.org', rel: 'noopener noreferrer', target: '_blank' },
    ]);
    // The whole line still reads as typed.
    assert.equal(await row.locator('.text').textContent(), 'see https://example.com/a?b=1 and http://example.org. not javascript:alert(1) nor ftp://x.test');

    // Where the stream blocks links, a moderator's link (moderators are exempt) stays text.
    const mod = await moderatorToken('no-links');
    assert.equal((await apiCall(server.url, 'PUT', '/api/streams/no-links/rules', mod, { blockedTerms: [], blockLinks: true })).status, 200);
    const modPage = await openChat(browser, server, 'no-links', { token: mod });
    const reader = await openChat(browser, server, 'no-links');
    await say(modPage, 'official site https://example.com');
    await reader.locator('#messages li', { hasText: 'official site' }).waitFor();
    assert.equal(await reader.locator('#messages a').count(), 0);
    assert.deepEqual([...pageErrors(viewer), ...pageErrors(reader)], []);
  });

  test('a counter shows near the limit; a paste over it is kept whole, counted and not sendable', async () => {
    const page = await openChat(browser, server, 'counted', { name: 'counter' });
    const input = page.locator('[aria-label="Send a message"]');
    const counter = page.locator('#send-count');
    await input.fill('short');
    assert.equal(await counter.isVisible(), false);
    await input.fill('x'.repeat(460));
    assert.equal(await counter.textContent(), '40');
    assert.equal(await counter.isVisible(), true);
    await input.fill('y'.repeat(520));
    assert.equal((await input.inputValue()).length, 520);
    assert.equal(await counter.textContent(), '-20');
    assert.equal(await page.locator('#send-button').isDisabled(), true);
    await input.fill('z'.repeat(500));
    assert.equal(await page.locator('#send-button').isDisabled(), false);
    await input.press('Enter');
    await page.locator('#messages li[data-id]', { hasText: 'zzzz' }).waitFor();
  });

  test('a name in a dark colour is lightened until it reads on the dark background', async () => {
    const res = await apiCall(server.url, 'POST', '/api/dev/token', undefined, { name: 'shadow', color: '#0b0b30' });
    const { token } = (await res.json()) as { token: string };
    const page = await openChat(browser, server, 'colours', { token });
    await say(page, 'can you read my name');
    const name = page.locator('#messages li[data-id] .name');
    await name.waitFor();
    // The name's colour, and the background of the nearest ancestor that paints one (page source: the test has no DOM types).
    const [color, background] = (await page.evaluate(`(() => {
      const node = document.querySelector('#messages li[data-id] .name');
      let back = node;
      // A faint tint (a first-time chatter's row: alpha 0.08) barely changes what is behind it: look through it.
      const seeThrough = (c) => c === 'transparent' || (c.startsWith('rgba(') && Number(c.slice(c.lastIndexOf(',') + 1, -1)) < 0.2);
      while (back !== null && seeThrough(getComputedStyle(back).backgroundColor)) back = back.parentElement;
      return [getComputedStyle(node).color, getComputedStyle(back ?? document.body).backgroundColor];
    })()`)) as [string, string];
    const ratio = contrast(rgb(color), rgb(background));
    assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)} of ${color} on ${background}`);
    // A colour already readable is kept as it is.
    const bright = (await (await apiCall(server.url, 'POST', '/api/dev/token', undefined, { name: 'sunny', color: '#ffcc00' })).json()) as { token: string };
    const sunny = await openChat(browser, server, 'colours', { token: bright.token });
    await say(sunny, 'and mine');
    await page.locator('#messages li', { hasText: 'and mine' }).waitFor();
    assert.equal(await page.locator('#messages li', { hasText: 'and mine' }).locator('.name').getAttribute('style'), 'color: rgb(255, 204, 0);');
  });
});

function rgb(css: string): [number, number, number] {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return [r!, g!, b!];
}

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const luminance = (c: [number, number, number]): number => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
