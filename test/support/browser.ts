import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { closeAtEnd } from './file-end.ts';
import { devToken, type TestServer } from './servers.ts';

// Debian's Chromium, driven by playwright-core. Browser tests never skip: a
// machine without Chromium fails them with the command that installs it.
const CANDIDATES = [process.env.CHORUS_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (found === undefined) {
    throw new Error('Chromium is not installed: run `apt-get update && apt-get install -y chromium` (.ci/run does), or set CHORUS_CHROMIUM to its path');
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--disable-gpu', '--no-sandbox'] });
}

/** A browser for the whole file, closed after its last test. */
export async function browserForFile(): Promise<Browser> {
  const browser = await launchBrowser();
  closeAtEnd('browser', () => browser.close());
  return browser;
}

export interface ChatPageOptions {
  /** Signs in as this name (a development token in the fragment); anonymous without. */
  name?: string;
  roles?: string[];
  /** Signs in with this token (in the fragment, as a host site would) instead of a development one. */
  token?: string;
  viewport?: { width: number; height: number };
  /** Runs on the new page before it loads (to watch its sockets from the first frame). */
  beforeLoad?: (page: Page) => unknown;
}

/** A fresh browser context on /s/:stream, signed in as asked, once the page has joined. */
export async function openChat(browser: Browser, server: TestServer, stream: string, options: ChatPageOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 420, height: 700 } });
  const page = await context.newPage();
  // Any page error or dialog is a test failure waiting to be asserted on.
  page.on('pageerror', (err) => pageErrors(page).push(err.message));
  page.on('dialog', (dialog) => {
    pageErrors(page).push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await options.beforeLoad?.(page);
  let token = options.token;
  if (token === undefined && options.name !== undefined) token = (await devToken(server.url, options.name, { [stream]: options.roles ?? [] })).token;
  await page.goto(`${server.url}/s/${stream}${token === undefined ? '' : `#token=${token}`}`);
  await page.locator('#connection[data-status="online"]').waitFor();
  if (token !== undefined) await page.locator('[aria-label="Send a message"]:enabled').waitFor();
  return page;
}

const errors = new WeakMap<Page, string[]>();

/** Uncaught errors and dialogs the page produced. */
export function pageErrors(page: Page): string[] {
  let list = errors.get(page);
  if (list === undefined) errors.set(page, (list = []));
  return list;
}

/** Types and sends one line from the page's send box. */
export async function say(page: Page, text: string): Promise<void> {
  const input = page.locator('[aria-label="Send a message"]');
  await input.fill(text);
  await input.press('Enter');
}

/** The data-id of every rendered message row (matching `selector`), top to bottom. */
export function rowIds(page: Page, selector = '#messages li[data-id]'): Promise<string[]> {
  return page.locator(selector).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')!));
}

/** Waits until `check` passes (retrying assertion errors), up to `ms`. */
export async function eventually(check: () => Promise<void> | void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
