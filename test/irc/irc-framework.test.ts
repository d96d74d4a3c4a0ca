// irc-framework, unmodified, over plain TCP: a generic IRC client that asks
// for Twitch's capabilities gets the same room as v1 and tmi.js clients.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'irc-framework';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import type { RunningServer } from '../../src/server.ts';
import { EventLog } from '../support/event-log.ts';
import { ircFrameworkClient, tmiChatter } from '../support/irc-clients.ts';

let server: TestServer & { server: RunningServer };
before(async () => {
  server = await startTestServer(['--held-terms', 'holdme']);
});
after(async () => {
  await server.stop();
});

function connect(name: string, roles: Record<string, string[]> = {}): Promise<{ client: Client; events: EventLog }> {
  return ircFrameworkClient(server, server.server.ircPort!, name, roles);
}

test('irc-framework registers over TCP, joins, and chats both ways with v1 and tmi.js', async () => {
  const { client, events } = await connect('Frank');
  try {
    client.join('#tcp');
    const [joined] = await events.next('join');
    assert.deepEqual([joined.nick, joined.channel], ['frank', '#tcp']);
    const v1 = await chatter(server, 'grace', {}, 'tcp');
    const ack = await v1.request({ type: 'send', stream: 'tcp', text: 'hello frank' });
    const [got] = await events.next('privmsg');
    assert.deepEqual([got.nick, got.target, got.message, got.tags.id, got.tags['display-name']], ['grace', '#tcp', 'hello frank', ack.id, 'grace']);

    client.say('#tcp', 'hello grace');
    const seen = await v1.next('msg', (f) => f.text === 'hello grace');
    assert.equal(seen.user.name, 'Frank');
    const bot = await tmiChatter(server, 'Tim');
    await bot.client.join('#tcp');
    await bot.client.say('#tcp', 'from tmi');
    const [fromTmi] = await events.next('privmsg', (e) => e.message === 'from tmi');
    assert.equal(fromTmi.nick, 'tim');
    client.say('#tcp', 'hello tim');
    const [, tags, text] = await bot.events.next('message', (_c, _t, m: string) => m === 'hello tim');
    assert.equal(text, 'hello tim');
    assert.equal(tags.username, 'frank');
    await bot.client.disconnect();
    v1.ws.close();
  } finally {
    client.quit();
  }
});

test('moderation events and refusals reach irc-framework as its unknown-command and notice events', async () => {
  const mod = await connect('Mona', { ircmod: ['moderator'] });
  const watcher = await connect('Walt');
  try {
    mod.client.join('#ircmod');
    watcher.client.join('#ircmod');
    await mod.events.next('join');
    await watcher.events.next('join', (e) => e.nick === 'walt');
    const v1 = await chatter(server, 'hank', {}, 'ircmod');
    const sent = await v1.request({ type: 'send', stream: 'ircmod', text: 'bye' });
    await watcher.events.next('privmsg', (e) => e.tags.id === sent.id);

    mod.client.say('#ircmod', `/delete ${sent.id}`);
    const [deleted] = await mod.events.next('notice', (e) => e.tags['msg-id'] === 'delete_message_success');
    assert.equal(deleted.target, '#ircmod');
    const [clearmsg] = await watcher.events.next('unknown command', (c) => c.command === 'CLEARMSG');
    assert.deepEqual([clearmsg.tags['target-msg-id'], clearmsg.tags.login, clearmsg.params[1]], [sent.id, 'hank', 'bye']);

    mod.client.say('#ircmod', '/timeout hank 45');
    await mod.events.next('notice', (e) => e.tags['msg-id'] === 'timeout_success');
    const [clearchat] = await watcher.events.next('unknown command', (c) => c.command === 'CLEARCHAT');
    assert.deepEqual([clearchat.params[1], clearchat.tags['ban-duration']], ['hank', '45']);

    mod.client.say('#ircmod', '/slow 5');
    const [slowOn] = await watcher.events.next('notice', (e) => e.tags['msg-id'] === 'slow_on');
    assert.match(slowOn.message, /every 5 seconds/);
    const [roomstate] = await watcher.events.next('unknown command', (c) => c.command === 'ROOMSTATE' && c.tags['subs-only'] === undefined);
    assert.equal(roomstate.tags.slow, '5');

    watcher.client.say('#ircmod', 'one');
    watcher.client.say('#ircmod', 'two');
    await watcher.events.next('notice', (e) => e.tags['msg-id'] === 'msg_slowmode');
    watcher.client.say('#ircmod', '/ban hank');
    await watcher.events.next('notice', (e) => e.tags['msg-id'] === 'no_permission');
    v1.ws.close();
  } finally {
    mod.client.quit();
    watcher.client.quit();
  }
});
