// Screenshots of the viewer, moderator and operator views for the README:
// starts a server on a temporary directory, fills a stream with chat from a
// few bots, and saves docs/screenshot-{viewer,moderator,ops}.png.
//   node_modules/.bin/node scripts/screenshots.ts   (after `npm run build:web`)
import { fileURLToPath } from 'node:url';
import { launchBrowser, openChat, say } from '../test/support/browser.ts';
import { chatter, startTestServer } from '../test/support/servers.ts';
import type { TestClient } from '../test/support/ws-client.ts';

const docs = (name: string): string => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
const STREAM = 'speedrun';
const LINES: Array<[string, string]> = [
  ['glitchy_gus', 'first time catching this run live PogChamp'],
  ['mod_kim', 'Welcome in! Be nice, no spoilers for the ending please'],
  ['vip_val', 'that clip yesterday was insane Kreygasm'],
  ['sub_sasha', 'the wrong warp is coming up, watch the timer'],
  ['lurker_lu', 'is this any% or 100%?'],
  ['sub_sasha', 'any% glitched, 42 minute pace'],
  ['glitchy_gus', 'LUL the clip through the wall'],
  ['runner_rae', 'thanks for the raid everyone <3'],
  ['lurker_lu', '<img src=x onerror=alert(1)> shows as text, nice'],
  ['vip_val', 'split is green!! SeemsGood'],
  ['sub_sasha', 'PB pace PogChamp PogChamp'],
  ['glitchy_gus', 'chat is so smooth today'],
];
const ROLES: Record<string, string[]> = {
  runner_rae: ['broadcaster'], mod_kim: ['moderator'], vip_val: ['vip'], sub_sasha: ['subscriber'],
};

const server = await startTestServer(['--sampling-threshold', '40', '--rate-limit-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000']);
const browser = await launchBrowser();
try {
  const bots = new Map<string, TestClient>();
  for (const name of new Set(LINES.map(([n]) => n))) bots.set(name, await chatter(server, name, { [STREAM]: ROLES[name] ?? [] }, STREAM));

  const viewer = await openChat(browser, server, STREAM, { name: 'viewer_vic', viewport: { width: 420, height: 640 } });
  const moderator = await openChat(browser, server, STREAM, { name: 'mod_kim', roles: ['moderator'], viewport: { width: 480, height: 760 } });
  for (const [name, text] of LINES) {
    await bots.get(name)!.request({ type: 'send', stream: STREAM, text });
  }
  await say(viewer, 'hello from the viewer page HeyGuys');
  await moderator.locator('#mod-panel summary').click();
  await moderator.locator('#mode-slow').selectOption('10');
  await moderator.locator('#rules-terms').fill('spoiler*\nending');
  await viewer.locator('#modes-banner', { hasText: 'Slow mode' }).waitFor();
  await viewer.waitForTimeout(500);
  await viewer.screenshot({ path: docs('screenshot-viewer.png') });
  await moderator.locator('#messages li', { hasText: 'is this any%' }).hover();
  await moderator.screenshot({ path: docs('screenshot-moderator.png') });

  // Traffic for the operator view: a burst above the sampling threshold, then a calmer stream.
  await moderator.locator('#mode-slow').selectOption('0');
  const ops = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await ops.goto(`${server.url}/ops`);
  const senders = [...bots.values()];
  for (let second = 0; second < 12; second++) {
    const perSecond = second < 6 ? 80 : 15;
    for (let i = 0; i < perSecond; i++) senders[i % senders.length]!.send({ type: 'send', stream: STREAM, text: `line ${second}.${i} Kappa` });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  await ops.screenshot({ path: docs('screenshot-ops.png') });
  console.log('saved docs/screenshot-viewer.png, docs/screenshot-moderator.png, docs/screenshot-ops.png');
} finally {
  await browser.close();
  await server.stop();
}
