// IRC moderator commands are recorded in the audit log like any other
// transport's, through tmi.js unmodified: /ban and /timeout keep their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, serverForFile } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { tmiBot } from '../support/irc-clients.ts';

const server = await serverForFile();
const bot = (name: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles, '#ircaudit');

test('IRC: /timeout and /ban are recorded with their reasons, /unban too, by the moderator who sent them', async () => {
  const mod = await bot('AuditMod', { ircaudit: ['moderator'] });
  const viewer = await bot('AuditViewer');
  await viewer.client.say('#ircaudit', 'hello');
  await mod.events.next('message', (_c, _t, m: string) => m === 'hello');

  await mod.client.timeout('#ircaudit', 'auditviewer', 30, 'too many caps');
  await mod.client.ban('#ircaudit', 'auditviewer', 'spam links');
  await mod.client.unban('#ircaudit', 'auditviewer');

  const { token } = await devToken(server.url, 'AuditReader', { ircaudit: ['moderator'] });
  const page = await (await apiCall(server.url, 'GET', `/api/streams/ircaudit/modlog?user=${viewer.userId}`, token)).json() as { entries: Array<Record<string, any>> };
  assert.deepEqual(page.entries.map((e) => [e.action, e.reason, e.detail, e.actor.id]), [
    ['unban', undefined, undefined, mod.userId],
    ['ban', 'spam links', undefined, mod.userId],
    ['timeout', 'too many caps', '30 s', mod.userId],
  ]);
});
