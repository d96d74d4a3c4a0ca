// /warn, /acknowledge, /restrict, /unrestrict and /clear as Twitch chat
// commands, from tmi.js and irc-framework unmodified: the NOTICEs they
// answer, `msg_warned` for a warned user's line, a restricted user's line
// reaching moderators only, and CLEARCHAT without a user for /clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { member, serverForFile } from '../support/servers.ts';
import { closeAtEnd } from '../support/file-end.ts';
import { ircFrameworkClient, tmiBot } from '../support/irc-clients.ts';

const server = await serverForFile();
const bot = (name: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles);

const noticeOf = (channel: string) => (c: string) => c === channel;

test('tmi.js: /warn refuses the user\'s lines with msg_warned until /acknowledge; the hierarchy answers bad_warn_*', async () => {
  const mod = await bot('WarnMod', { wbwarn: ['moderator'] });
  const other = await bot('WarnOtherMod', { wbwarn: ['moderator'] });
  const user = await bot('WarnUser');
  const listener = await bot('WarnListener');
  for (const b of [mod, other, user, listener]) await b.client.join('#wbwarn');
  // Logins become known to the server from their lines.
  await user.client.say('#wbwarn', 'hello there');
  await listener.events.next('message', (_c: string, _t: unknown, m: string) => m === 'hello there');
  await other.client.say('#wbwarn', 'mod here');
  await listener.events.next('message', (_c: string, _t: unknown, m: string) => m === 'mod here');

  await mod.client.say('#wbwarn', '/warn WarnUser stop spamming links');
  assert.deepEqual((await mod.events.next('notice', noticeOf('#wbwarn'))).slice(1, 2), ['warn_success']);
  // Told at once, before any line of theirs is refused.
  const [, toldId, told] = await user.events.next('notice', noticeOf('#wbwarn'));
  assert.equal(toldId, 'msg_warned');
  assert.match(told as string, /stop spamming links.*\/acknowledge/);
  await user.client.say('#wbwarn', 'one more link');
  const [, msgId, text] = await user.events.next('notice', noticeOf('#wbwarn'));
  assert.equal(msgId, 'msg_warned');
  assert.match(text as string, /stop spamming links/);

  await user.client.say('#wbwarn', '/acknowledge');
  assert.equal((await user.events.next('notice', noticeOf('#wbwarn')))[1], 'acknowledge_success');
  await user.client.say('#wbwarn', 'no more links');
  await listener.events.next('message', (_c: string, _t: unknown, m: string) => m === 'no more links');

  await mod.client.say('#wbwarn', '/warn WarnOtherMod behave');
  assert.equal((await mod.events.next('notice', noticeOf('#wbwarn')))[1], 'bad_warn_mod');
  await mod.client.say('#wbwarn', '/warn WarnUser');
  assert.equal((await mod.events.next('notice', noticeOf('#wbwarn')))[1], 'usage_warn');
  await listener.client.say('#wbwarn', '/warn WarnUser be nice');
  assert.equal((await listener.events.next('notice', noticeOf('#wbwarn')))[1], 'no_permission');
});

test('tmi.js: a restricted user\'s line reaches moderators only; clear() resolves and every client gets clearchat', async () => {
  const mod = await bot('ShadowMod', { wbshadow: ['moderator'] });
  const user = await bot('ShadowUser');
  const viewer = await bot('ShadowViewer');
  for (const b of [mod, user, viewer]) await b.client.join('#wbshadow');
  const web = await member(server, 'wbshadow', 'shadowweb');
  await user.client.say('#wbshadow', 'first words');
  await viewer.events.next('message', (_c: string, _t: unknown, m: string) => m === 'first words');

  await mod.client.say('#wbshadow', '/restrict ShadowUser');
  assert.equal((await mod.events.next('notice', noticeOf('#wbshadow')))[1], 'restrict_success');
  await user.client.say('#wbshadow', 'hidden words');
  await mod.events.next('message', (_c: string, _t: unknown, m: string) => m === 'hidden words');
  await mod.client.say('#wbshadow', 'everyone sees this');
  await viewer.events.next('message', (_c: string, _t: unknown, m: string) => m === 'everyone sees this');
  await web.next('msg', (f) => f.text === 'everyone sees this');
  assert.equal(viewer.events.count('message', (_c: string, _t: unknown, m: string) => m === 'hidden words'), 0, 'the viewer never got the restricted line');
  assert.ok(!JSON.stringify(web.frames).includes('hidden words'));

  await mod.client.say('#wbshadow', '/unrestrict ShadowUser');
  assert.equal((await mod.events.next('notice', noticeOf('#wbshadow')))[1], 'unrestrict_success');
  await user.client.say('#wbshadow', 'visible again');
  await viewer.events.next('message', (_c: string, _t: unknown, m: string) => m === 'visible again');

  assert.deepEqual(await mod.client.clear('#wbshadow'), ['#wbshadow']);
  assert.deepEqual(await viewer.events.next('clearchat'), ['#wbshadow']);
  assert.deepEqual(await web.next('clear'), { type: 'clear', stream: 'wbshadow', reason: 'clear' });
  await assert.rejects(viewer.client.clear('#wbshadow'), /no_permission/);
});

test('irc-framework: /warn, /restrict and /clear answer with their msg-ids; CLEARCHAT has no user', async () => {
  const port = server.server.ircPort!;
  const mod = await ircFrameworkClient(server, port, 'Ivan', { wbirc: ['moderator'] });
  const watcher = await ircFrameworkClient(server, port, 'Wendy');
  for (const c of [mod, watcher]) closeAtEnd('irc-framework client', () => c.client.quit());
  mod.client.join('#wbirc');
  watcher.client.join('#wbirc');
  await mod.events.next('join');
  await watcher.events.next('join', (e) => e.nick === 'wendy');
  const v1 = await member(server, 'wbirc', 'victor');
  const first = await v1.request({ type: 'send', stream: 'wbirc', text: 'hi all' });
  await watcher.events.next('privmsg', (e) => e.tags.id === first.id);

  mod.client.say('#wbirc', '/warn victor read the rules');
  await mod.events.next('notice', (e) => e.tags['msg-id'] === 'warn_success');
  assert.equal((await v1.request({ type: 'send', stream: 'wbirc', text: 'what' })).code, 'warned');
  assert.equal((await v1.request({ type: 'acknowledge', stream: 'wbirc' })).type, 'ack');

  mod.client.say('#wbirc', '/restrict victor');
  await mod.events.next('notice', (e) => e.tags['msg-id'] === 'restrict_success');
  const hidden = await v1.request({ type: 'send', stream: 'wbirc', text: 'psst' });
  const [seen] = await mod.events.next('privmsg', (e) => e.tags.id === hidden.id);
  assert.equal(seen.message, 'psst');

  mod.client.say('#wbirc', '/clear');
  const [clearchat] = await watcher.events.next('unknown command', (c) => c.command === 'CLEARCHAT');
  assert.deepEqual(clearchat.params, ['#wbirc']);
  assert.equal(watcher.events.count('privmsg', (e) => e.tags.id === hidden.id), 0, 'the watcher never got the restricted line');
});
