// tmi.js, unmodified, against Chorus's IRC endpoint: the library's own
// promises and events are the assertions, as a bot author would see them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, member, serverForFile } from '../support/servers.ts';
import { EventLog } from '../support/event-log.ts';
import { closeAtEnd } from '../support/file-end.ts';
import { ircToken, tmiBot, tmiClient } from '../support/irc-clients.ts';

// --moderator-action-limit: one test fills a stream's 1,000 grants at once (test/e2e/rate-limits.test.ts covers the limit).
const server = await serverForFile(['--held-terms', 'holdme', '--blocked-terms', 'forbiddenword', '--rate-limit-messages', '3', '--moderator-action-limit', '10000']);
const bot = (name: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles);

test('a tmi.js bot and a v1 client chat both ways with the same ids and full tags', async () => {
  const bob = await bot('Bob', { chat: ['subscriber'] });
  assert.deepEqual(await bob.client.join('#chat'), ['#chat']);
  const carol = await member(server, 'chat', 'carol', ['vip']);

  await bob.client.say('#chat', 'hello from irc Kappa');
  const seen = await carol.next('msg', (f) => f.text === 'hello from irc Kappa');
  assert.equal(seen.user.name, 'Bob');
  assert.equal(seen.user.id, bob.userId);
  assert.deepEqual(seen.user.badges, ['subscriber']);
  assert.deepEqual(seen.emotes, [{ name: 'Kappa', start: 15, end: 20 }]);

  const ack = await carol.request({ type: 'send', stream: 'chat', text: 'hi; bob\\ Kappa <3' });
  assert.equal(ack.type, 'ack');
  const [channel, tags, text, self] = await bob.events.next('message', (_c, _t, m: string) => m.startsWith('hi;'));
  assert.equal(channel, '#chat');
  assert.equal(text, 'hi; bob\\ Kappa <3');
  assert.equal(self, false);
  assert.equal(tags.id, ack.id);
  assert.equal(tags['tmi-sent-ts'], String(ack.ts));
  assert.equal(tags['room-id'], 'chat');
  assert.equal(tags['user-id'], carol.frames.find((f) => f.type === 'welcome' && f.user !== null)?.user.id);
  assert.equal(tags['display-name'], 'carol');
  assert.equal(tags.username, 'carol');
  assert.deepEqual(tags.badges, { vip: '1' });
  assert.equal(tags.vip, true);
  assert.equal(tags.mod, false);
  assert.equal(tags.subscriber, false);
  assert.match(tags.color, /^#[0-9A-F]{6}$/);
  assert.deepEqual(tags.emotes, { Kappa: ['9-13'], '%3C3': ['15-16'] });

  // No echo of the bot's own line: tmi.js emitted it locally (self=true) and the server sent USERSTATE only.
  assert.equal(bob.events.count('message', (_c, _t, m: string, s: boolean) => m === 'hello from irc Kappa' && !s), 0);
  assert.equal(bob.events.count('message', (_c, _t, m: string, s: boolean) => m === 'hello from irc Kappa' && s), 1);
});

test('moderator commands resolve and arrive as tmi.js events at other bots and as v1 frames', async () => {
  const mod = await bot('Moddy', { mods: ['moderator'] });
  const viewer = await bot('Viewer');
  await mod.client.join('#mods');
  await viewer.client.join('#mods');
  const dave = await member(server, 'mods', 'dave');

  const sent = await dave.request({ type: 'send', stream: 'mods', text: 'delete me' });
  await viewer.events.next('message', (_c, t) => t.id === sent.id);
  assert.deepEqual(await mod.client.deletemessage('#mods', sent.id), ['#mods']);
  const [, login, deletedText, deletedTags] = await viewer.events.next('messagedeleted');
  assert.equal(login, 'dave');
  assert.equal(deletedText, 'delete me');
  assert.equal(deletedTags['target-msg-id'], sent.id);
  assert.deepEqual((await dave.next('retract')).ids, [sent.id]);

  assert.deepEqual(await mod.client.timeout('#mods', 'dave', 30, 'calm down'), ['#mods', 'dave', 30, 'calm down']);
  const [, timedOut, , seconds] = await viewer.events.next('timeout');
  assert.deepEqual([timedOut, seconds], ['dave', 30]);
  assert.equal((await dave.next('clear')).reason, 'timeout');
  assert.equal((await dave.request({ type: 'send', stream: 'mods', text: 'x' })).code, 'timed_out');

  assert.deepEqual(await mod.client.ban('#mods', 'dave', 'spam'), ['#mods', 'dave', 'spam']);
  const [, banned, , banTags] = await viewer.events.next('ban');
  assert.equal(banned, 'dave');
  assert.equal(banTags['target-user-id'], (await dave.next('clear', (f) => f.reason === 'ban')).user);
  assert.deepEqual(await mod.client.unban('#mods', 'dave'), ['#mods', 'dave']);
  assert.equal((await dave.request({ type: 'send', stream: 'mods', text: 'back' })).type, 'ack');

  assert.deepEqual(await mod.client.slow('#mods', 10), ['#mods', 10]);
  assert.deepEqual((await viewer.events.next('slowmode')).slice(1), [true, 10]);
  assert.equal((await dave.next('state', (f) => f.modes.slowSeconds === 10)).modes.slowSeconds, 10);
  assert.deepEqual(await mod.client.slowoff('#mods'), ['#mods']);
  assert.deepEqual((await viewer.events.next('slowmode')).slice(1), [false, 0]);

  assert.deepEqual(await mod.client.subscribers('#mods'), ['#mods']);
  assert.deepEqual((await viewer.events.next('subscribers')).slice(1), [true]);
  await assert.rejects(mod.client.subscribers('#mods'), /already_subs_on/);
  assert.deepEqual(await mod.client.subscribersoff('#mods'), ['#mods']);
  assert.deepEqual((await viewer.events.next('subscribers')).slice(1), [false]);

  assert.deepEqual(await mod.client.emoteonly('#mods'), ['#mods']);
  assert.deepEqual((await viewer.events.next('emoteonly')).slice(1), [true]);
  assert.deepEqual(await mod.client.emoteonlyoff('#mods'), ['#mods']);
  assert.deepEqual((await viewer.events.next('emoteonly')).slice(1), [false]);

  // Roles are enforced: a viewer's commands are refused with no_permission.
  await assert.rejects(viewer.client.ban('#mods', 'moddy'), /no_permission/);
  await assert.rejects(viewer.client.slow('#mods', 5), /no_permission/);
  await assert.rejects(mod.client.ban('#mods', 'nobody_here'), /invalid_user/);
});

test('client.mod(), unmod(), vip() and unvip() grant roles on the server; only the broadcaster may', async () => {
  const caster = await bot('Caster', { roles: ['broadcaster'] });
  const mod = await bot('TokenMod', { roles: ['moderator'] });
  await caster.client.join('#roles');
  await mod.client.join('#roles');
  const erin = await member(server, 'roles', 'erin');
  // Chorus finds the login among the stream's recent lines.
  await erin.request({ type: 'send', stream: 'roles', text: 'hello' });

  assert.deepEqual(await caster.client.mod('#roles', 'erin'), ['#roles', 'erin']);
  await assert.rejects(caster.client.mod('#roles', 'erin'), /bad_mod_mod/);
  assert.equal((await erin.request({ type: 'mod', stream: 'roles', action: 'modes', modes: { slowSeconds: 5 } })).type, 'ack', 'erin moderates now');
  assert.deepEqual(await caster.client.unmod('#roles', 'erin'), ['#roles', 'erin']);
  await assert.rejects(caster.client.unmod('#roles', 'erin'), /bad_unmod_mod/);
  assert.equal((await erin.request({ type: 'mod', stream: 'roles', action: 'modes', modes: { slowSeconds: 0 } })).code, 'forbidden');

  assert.deepEqual(await caster.client.vip('#roles', 'erin'), ['#roles', 'erin']);
  await assert.rejects(caster.client.vip('#roles', 'erin'), /bad_vip_grantee_already_vip/);
  assert.deepEqual(await caster.client.unvip('#roles', 'erin'), ['#roles', 'erin']);
  await assert.rejects(caster.client.unvip('#roles', 'erin'), /bad_unvip_grantee_not_vip/);

  await assert.rejects(mod.client.mod('#roles', 'erin'), /no_permission/);
});

test('client.mod() and client.vip() reject with Twitch\'s msg-ids for a banned user and for a stream at its bound', async () => {
  const caster = await bot('Caster3', { bounded: ['broadcaster'] });
  await caster.client.join('#bounded');
  const gus = await bot('Gus');
  await gus.client.join('#bounded');
  await caster.client.ban('#bounded', 'gus');
  await assert.rejects(caster.client.mod('#bounded', 'gus'), /bad_mod_banned/);
  await assert.rejects(caster.client.vip('#bounded', 'gus'), /bad_vip_grantee_banned/);
  await caster.client.unban('#bounded', 'gus');

  const { token } = await devToken(server.url, 'caster3', { bounded: ['broadcaster'] });
  for (let i = 0; i < 1_000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, async (_, j) => {
      const res = await fetch(`${server.url}/api/streams/bounded/roles/u_${i + j}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ roles: ['vip'] }),
      });
      assert.equal(res.status, 204);
    }));
  }
  await assert.rejects(caster.client.vip('#bounded', 'gus'), /bad_vip_max_vips_reached/);
  await assert.rejects(caster.client.mod('#bounded', 'gus'), /usage_mod/);
});

test('a role granted on the server shows in USERSTATE: after the next line, and at the next JOIN', async () => {
  const caster = await bot('Caster2', { grantstate: ['broadcaster'] });
  const frank = await bot('Frank');
  const raw = new EventLog(frank.client as never, ['raw_message']);
  const userstate = () => raw.next('raw_message', (m: { command: string; params: string[] }) => m.command === 'USERSTATE' && m.params[0] === '#grantstate');
  await caster.client.join('#grantstate');
  await frank.client.join('#grantstate');
  await userstate();
  assert.equal(frank.client.isMod('#grantstate', 'frank'), false);

  assert.deepEqual(await caster.client.mod('#grantstate', 'frank'), ['#grantstate', 'frank']);
  await frank.client.say('#grantstate', 'a moderator now');
  assert.equal((await userstate())[0].tags['user-type'], 'mod');
  assert.equal(frank.client.isMod('#grantstate', 'frank'), true, 'tmi.js counts itself a moderator from the USERSTATE');

  assert.deepEqual(await caster.client.vip('#grantstate', 'frank'), ['#grantstate', 'frank']);
  await frank.client.part('#grantstate');
  await frank.client.join('#grantstate');
  await userstate();
  // tmi.js keeps each channel's USERSTATE tags (not in its typings).
  const state = (frank.client as unknown as { userstate: Record<string, Record<string, unknown>> }).userstate['#grantstate']!;
  assert.deepEqual(state.badges, { moderator: '1', vip: '1' });
  assert.equal(state.mod, true);
});

test('every refusal arrives as the notice (or automod) event with Twitch\'s msg-id', async () => {
  const mod = await bot('Boss', { rules: ['broadcaster'], slow: ['broadcaster'] });
  const pleb = await bot('Pleb');
  await mod.client.join('#rules');
  await pleb.client.join('#rules');
  const refusal = async (text: string, event = 'notice'): Promise<string> => {
    await pleb.client.say('#rules', text);
    return (await pleb.events.next(event, (channel: string) => channel === '#rules'))[1] as string;
  };

  assert.equal(await refusal('this has holdme in it', 'automod'), 'msg_rejected');
  assert.equal(await refusal('this has forbiddenword in it', 'automod'), 'msg_rejected_mandatory');
  await mod.client.subscribers('#rules');
  assert.equal(await refusal('subs only?'), 'msg_subsonly');
  await mod.client.subscribersoff('#rules');
  await mod.client.emoteonly('#rules');
  assert.equal(await refusal('not an emote'), 'msg_emoteonly');
  await mod.client.emoteonlyoff('#rules');
  await mod.client.timeout('#rules', 'pleb', 60);
  assert.equal(await refusal('timed out?'), 'msg_timedout');
  await mod.client.ban('#rules', 'pleb');
  assert.equal(await refusal('banned?'), 'msg_banned');
  await mod.client.unban('#rules', 'pleb');

  // A fresh room, so no earlier line of pleb counts toward slow mode.
  await mod.client.join('#slow');
  await pleb.client.join('#slow');
  await mod.client.slow('#slow', 60);
  await pleb.client.say('#slow', 'first');
  await pleb.client.say('#slow', 'second');
  assert.equal((await pleb.events.next('notice', (channel: string) => channel === '#slow'))[1], 'msg_slowmode');
  assert.equal(pleb.events.count('notice', (channel: string) => channel === '#slow'), 1);

  // --rate-limit-messages 3: the fourth line within the window is refused.
  await pleb.client.join('#rate');
  for (const text of ['one', 'two', 'three']) await pleb.client.say('#rate', text);
  await pleb.client.say('#rate', 'four');
  assert.equal((await pleb.events.next('notice', (channel: string) => channel === '#rate'))[1], 'msg_ratelimit');
});

test('an anonymous justinfan login reads but cannot send', async () => {
  const { client, events } = tmiClient(server.port);
  closeAtEnd('tmi client', () => client.disconnect().catch(() => undefined));
  await client.connect();
  assert.match(client.getUsername(), /^justinfan\d+$/);
  assert.deepEqual(await client.join('#anon'), ['#anon']);
  const erin = await member(server, 'anon', 'erin');
  const ack = await erin.request({ type: 'send', stream: 'anon', text: 'can lurkers read this?' });
  const [, tags, text] = await events.next('message');
  assert.deepEqual([tags.id, text], [ack.id, 'can lurkers read this?']);
  await assert.rejects(client.say('#anon', 'hi'), /Cannot send anonymous messages/);
});

test('membership: a bot that asked for it sees others JOIN and PART', async () => {
  const watcher = await bot('Watcher');
  await watcher.client.join('#members');
  const comer = await bot('Comer');
  await comer.client.join('#members');
  assert.deepEqual((await watcher.events.next('join', (_c, _nick: string, self: boolean) => !self)).slice(0, 2), ['#members', 'comer']);
  await comer.client.part('#members');
  assert.deepEqual((await watcher.events.next('part', (_c, nick: string) => nick === 'comer')).slice(0, 3), ['#members', 'comer', false]);
});

test('ping resolves, and a wrong password stops the client with Twitch\'s words', async () => {
  const pinger = await bot('Pinger');
  const [latency] = await pinger.client.ping();
  assert.ok(latency >= 0);

  const { ircToken: token } = await ircToken(server, 'Mallory');
  const { client } = tmiClient(server.port, { username: 'mallory', password: `oauth:${token.slice(0, -4)}aaaa` });
  await assert.rejects(client.connect(), /Login authentication failed/);
  const { client: impostor } = tmiClient(server.port, { username: 'notmallory', password: `oauth:${token}` });
  await assert.rejects(impostor.connect(), /Login authentication failed/);
  const { client: noPass } = tmiClient(server.port, { username: 'mallory', password: '' });
  await assert.rejects(noPass.connect(), /Improperly formatted auth/);
});

test('POST /api/irc/token turns a bearer JWT into a password tmi.js can use', async () => {
  const dev = await fetch(`${server.url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Tokyo' }) });
  const { token: jwt, ircToken: devIrc } = (await dev.json()) as { token: string; ircToken: string };
  const res = await fetch(`${server.url}/api/irc/token`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
  assert.equal(res.status, 200);
  const { token } = (await res.json()) as { token: string };
  assert.equal(token, devIrc);
  assert.match(token, /^[a-z2-7]+$/);
  assert.equal((await fetch(`${server.url}/api/irc/token`, { method: 'POST' })).status, 401);
  assert.equal((await fetch(`${server.url}/api/irc/token`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status, 401);
  const { client } = tmiClient(server.port, { username: 'tokyo', password: token.toUpperCase() });
  closeAtEnd('tmi client', () => client.disconnect().catch(() => undefined));
  await client.connect();
  assert.deepEqual(await client.join('#tokens'), ['#tokens']);
});
