// Reply tags, announcements and the host site's notices over IRC, with the
// real client libraries (tmi.js, irc-framework) and a raw socket for the
// exact wire form (docs/irc.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import irc, { type Client } from 'irc-framework';
import { chatter, serverForFile } from '../support/servers.ts';
import { closeAtEnd } from '../support/file-end.ts';
import { EventLog } from '../support/event-log.ts';
import { ircToken, tmiBot } from '../support/irc-clients.ts';
import { RawIrc } from '../support/raw-irc.ts';
import { apiCall } from '../support/api.ts';
import type { TestClient } from '../support/ws-client.ts';

const server = await serverForFile();

async function v1(name: string, stream: string, roles: Record<string, string[]> = {}): Promise<TestClient> {
  const c = await chatter(server, name, roles, stream);
  closeAtEnd('client', () => c.close());
  return c;
}

async function raw(name: string, stream: string): Promise<RawIrc> {
  const { ircToken: token } = await ircToken(server, name);
  const session = new RawIrc(server.server.ircPort!);
  closeAtEnd('raw irc', () => session.socket.destroy());
  session.send('CAP REQ :twitch.tv/tags twitch.tv/commands', `PASS oauth:${token}`, `NICK ${name.toLowerCase()}`, `JOIN #${stream}`);
  await session.line(/ROOMSTATE/);
  return session;
}

async function framework(name: string, stream: string): Promise<{ client: Client; events: EventLog }> {
  const { ircToken: password } = await ircToken(server, name);
  const client = new irc.Client();
  closeAtEnd('irc-framework client', () => client.quit());
  client.requestCap(['twitch.tv/tags', 'twitch.tv/commands']);
  const events = new EventLog(client, ['registered', 'join', 'privmsg', 'unknown command']);
  client.connect({ host: '127.0.0.1', port: server.server.ircPort, nick: name.toLowerCase(), password, auto_reconnect: false });
  await events.next('registered');
  client.join('#' + stream);
  await events.next('join');
  return { client, events };
}

const bot = (name: string, stream: string, roles: Record<string, string[]> = {}) => tmiBot(server, name, roles, '#' + stream);

function notice(stream: string, body: unknown): Promise<Response> {
  return apiCall(server.url, 'POST', `/api/streams/${stream}/notices`, undefined, body);
}

test('a raw client replies with the reply-parent-msg-id tag; replies go out with every reply tag, escaped', async () => {
  const alice = await v1('alice', 'rawthreads');
  const session = await raw('Rawley', 'rawthreads');
  const parent = await alice.request({ type: 'send', stream: 'rawthreads', text: 'a; b\\c d' });

  session.send(`@reply-parent-msg-id=${parent.id} PRIVMSG #rawthreads :@alice agreed`);
  const reply = await alice.next('msg', (f) => f.text === '@alice agreed');
  assert.equal(reply.reply.id, parent.id);
  assert.equal(reply.reply.text, 'a; b\\c d');

  assert.equal((await alice.request({ type: 'send', stream: 'rawthreads', text: 'and back', parent: reply.id })).type, 'ack');
  const line = await session.line(/PRIVMSG #rawthreads :and back$/);
  const tags = line.slice(1, line.indexOf(' '));
  assert.ok(tags.includes(`;reply-parent-display-name=Rawley;reply-parent-msg-body=@alice\\sagreed;reply-parent-msg-id=${reply.id};reply-parent-user-id=${reply.user.id};reply-parent-user-login=rawley;`), tags);
  assert.ok(tags.includes(`;reply-thread-parent-display-name=alice;reply-thread-parent-msg-id=${parent.id};reply-thread-parent-user-id=${reply.reply.user.id};reply-thread-parent-user-login=alice;`), tags);

  // The parent's text with ; space and backslash, as a tag value.
  const second = await alice.request({ type: 'send', stream: 'rawthreads', text: 'quoted', parent: parent.id });
  const quoted = await session.line(/PRIVMSG #rawthreads :quoted$/);
  assert.ok(quoted.includes(';reply-parent-msg-body=a\\:\\sb\\\\c\\sd;'), quoted);
  assert.ok(quoted.includes(`;id=${second.id};`));

  session.send('@reply-parent-msg-id=missing PRIVMSG #rawthreads :into the void');
  assert.equal(await session.line(/NOTICE/), '@msg-id=invalid_parent :tmi.twitch.tv NOTICE #rawthreads :Your message was not sent: the line you reply to is not in this chat (deleted, or never here).');
});

test('irc-framework reads the reply tags unescaped, as the parent wrote them', async () => {
  const alice = await v1('alice', 'fwthreads');
  const { events } = await framework('Frank', 'fwthreads');
  const parent = await alice.request({ type: 'send', stream: 'fwthreads', text: 'semi; colon and \\ back' });
  const reply = await alice.request({ type: 'send', stream: 'fwthreads', text: 'replying', parent: parent.id });
  const [message] = await events.next('privmsg', (e) => e.message === 'replying');
  assert.equal(message.tags.id, reply.id);
  assert.equal(message.tags['reply-parent-msg-id'], parent.id);
  assert.equal(message.tags['reply-parent-msg-body'], 'semi; colon and \\ back');
  assert.equal(message.tags['reply-parent-user-login'], 'alice');
  assert.equal(message.tags['reply-parent-display-name'], 'alice');
  assert.equal(message.tags['reply-thread-parent-msg-id'], parent.id);
});

test('tmi.js: a reply sent as a client tag on PRIVMSG reaches another bot with its reply tags', async () => {
  const viewer = await v1('viewer', 'tmithreads');
  const replier = await bot('Replier', 'tmithreads');
  const reader = await bot('Reader', 'tmithreads');
  const parent = await viewer.request({ type: 'send', stream: 'tmithreads', text: 'question?' });
  // tmi.js 1.8.5 has no reply(): this is the line Twitch's clients send for one, through tmi.js's raw().
  replier.client.raw(`@reply-parent-msg-id=${parent.id} PRIVMSG #tmithreads :answer!`);
  const [, tags, text] = await reader.events.next('message', (_c, _t, m: string) => m === 'answer!');
  assert.equal(text, 'answer!');
  assert.equal(tags['reply-parent-msg-id'], parent.id);
  assert.equal(tags['reply-parent-user-login'], 'viewer');
  assert.equal(tags['reply-thread-parent-msg-id'], parent.id);
  assert.equal((await viewer.next('msg', (f) => f.text === 'answer!')).reply.id, parent.id);
});

test('/announce and /announceblue: a USERNOTICE with msg-id=announcement and its colour to everyone, v1 too', async () => {
  const mod = await bot('Moddy', 'tmiannounce', { tmiannounce: ['moderator'] });
  const reader = await bot('Reader', 'tmiannounce');
  const viewer = await v1('viewer', 'tmiannounce');
  const session = await raw('Rawley', 'tmiannounce');

  await mod.client.say('#tmiannounce', '/announce stream starts now');
  const plain = await viewer.next('msg', (f) => f.text === 'stream starts now');
  assert.equal(plain.announcement, 'primary');
  await mod.client.say('#tmiannounce', '/announceblue in blue');
  assert.equal((await viewer.next('msg', (f) => f.text === 'in blue')).announcement, 'blue');

  const line = await session.line(/USERNOTICE #tmiannounce :stream starts now$/);
  assert.match(line, /;login=moddy;msg-id=announcement;msg-param-color=PRIMARY;room-id=tmiannounce;system-msg=;/);
  assert.match(line, new RegExp(`;id=${plain.id};`));
  await session.line(/msg-param-color=BLUE;.*USERNOTICE #tmiannounce :in blue$/);

  const [msgId, channel, tags, text] = await reader.events.next('usernotice');
  assert.deepEqual([msgId, channel, text], ['announcement', '#tmiannounce', 'stream starts now']);
  assert.equal(tags['msg-param-color'], 'PRIMARY');
  assert.equal(tags['display-name'], 'Moddy');
  assert.equal((await reader.events.next('usernotice'))[2]['msg-param-color'], 'BLUE');
  // The announcer sees their own announcements, as on Twitch.
  assert.deepEqual((await mod.events.next('usernotice')).slice(0, 2), ['announcement', '#tmiannounce']);
  assert.equal((await mod.events.next('usernotice'))[3], 'in blue');

  const viewerBot = await bot('Nobody', 'tmiannounce');
  await viewerBot.client.say('#tmiannounce', '/announce me too');
  const [, , noticeText] = await viewerBot.events.next('notice', (_c, id: string) => id === 'no_permission');
  assert.equal(noticeText, "You don't have permission to perform that action.");
});

test("the host site's notices reach tmi.js as its subscription, resub, subgift, submysterygift and raided events", async () => {
  const reader = await bot('Reader', 'tminotices');
  const session = await raw('Rawley', 'tminotices');
  const post = async (body: Record<string, unknown>) => assert.equal((await notice('tminotices', { user: { id: 'u-dana', name: 'Dana' }, ...body })).status, 201);
  await post({ kind: 'sub', system: 'Dana subscribed at Tier 1.', plan: '1000' });
  await post({ kind: 'resub', system: 'Dana subscribed for 7 months!', months: 7, plan: 'Prime', text: 'seven; months' });
  await post({ kind: 'subgift', system: 'Dana gifted a sub to Eve!', recipient: { id: 'u-eve', name: 'Eve' } });
  await post({ kind: 'submysterygift', system: 'Dana is gifting 5 subs!', count: 5 });
  await post({ kind: 'raid', system: '12 raiders from Dana have joined!', viewers: 12 });

  const [subChannel, subUser, subMethods, subText, subTags] = await reader.events.next('subscription');
  assert.deepEqual([subChannel, subUser, subMethods.plan, subText], ['#tminotices', 'Dana', '1000', null]);
  assert.equal(subTags['system-msg'], 'Dana subscribed at Tier 1.');
  assert.equal(subTags['msg-id'], 'sub');
  const [, resubUser, , resubText, resubTags, resubMethods] = await reader.events.next('resub');
  assert.deepEqual([resubUser, resubText, resubTags['msg-param-cumulative-months'], resubMethods.prime], ['Dana', 'seven; months', '7', true]);
  const [, gifter, , recipient] = await reader.events.next('subgift');
  assert.deepEqual([gifter, recipient], ['Dana', 'Eve']);
  assert.equal((await reader.events.next('submysterygift'))[2], 5);
  assert.deepEqual((await reader.events.next('raided')).slice(0, 3), ['#tminotices', 'Dana', 12]);

  // The raw line: system-msg escaped, the user's words as the trailing parameter, none without words.
  assert.match(await session.line(/msg-id=sub;/), /;system-msg=Dana\\ssubscribed\\sat\\sTier\\s1\.;.* :tmi\.twitch\.tv USERNOTICE #tminotices$/);
  assert.match(await session.line(/msg-id=resub;/), /;msg-param-cumulative-months=7;.*;msg-param-sub-plan=Prime;.*;user-id=u-dana :tmi\.twitch\.tv USERNOTICE #tminotices :seven; months$/);
});
