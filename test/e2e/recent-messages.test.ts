// The recent-messages bridge for Chatterino and web chats: the service's
// path and JSON, each line read by the client libraries' own IRC parsers
// (irc-framework's, tmi.js's), as Chatterino would read it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import irc from 'irc-framework';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import { removeDir } from '../support/temp-dir.ts';

type ParsedLine = { tags: Record<string, unknown>; command: string; params: string[] };
// tmi.js's parser module has no types of its own; it is the parser its client runs on every line.
const tmiParser = createRequire(import.meta.url)('tmi.js/lib/parser.js') as { msg(line: string): ParsedLine };

let server: TestServer;
before(async () => {
  server = await startTestServer(['--anonymous-read-rate', '3']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

async function recent(channel: string, query = ''): Promise<{ status: number; body: { messages: string[]; error: string | null; error_code: string | null } }> {
  const res = await fetch(`${server.url}/api/v2/recent-messages/${channel}${query}`);
  return { status: res.status, body: await res.json() as never };
}

test("a stream's recent lines as IRC lines with historical=1 and rm-received-ts, read by irc-framework and tmi.js", async () => {
  const alice = await chatter(server, 'alice', { bridge: ['moderator'] }, 'bridge');
  const first = await alice.request({ type: 'send', stream: 'bridge', text: 'semi; colon Kappa' });
  const reply = await alice.request({ type: 'send', stream: 'bridge', text: 'a reply', parent: first.id });
  const news = await alice.request({ type: 'send', stream: 'bridge', text: 'news!', announce: 'orange' });
  const gone = await alice.request({ type: 'send', stream: 'bridge', text: 'deleted' });
  await alice.request({ type: 'mod', stream: 'bridge', action: 'delete', id: gone.id });
  const raid = await (await apiCall(server.url, 'POST', '/api/streams/bridge/notices', undefined, { kind: 'raid', user: { id: 'u7', name: 'Raider' }, system: '3 raiders from Raider have joined!', viewers: 3 })).json() as { id: string };
  alice.close();

  const { status, body } = await recent('bridge');
  assert.equal(status, 200);
  assert.deepEqual([body.error, body.error_code], [null, null]);
  assert.equal(body.messages.length, 4, 'the deleted line is not there');

  const parsed = body.messages.map((line) => irc.ircLineParser(line));
  assert.deepEqual(parsed.map((m) => m.command), ['PRIVMSG', 'PRIVMSG', 'USERNOTICE', 'USERNOTICE']);
  assert.deepEqual(parsed.map((m) => m.tags.id), [first.id, reply.id, news.id, raid.id]);
  for (const m of parsed) {
    assert.equal(m.tags.historical, '1');
    assert.match(m.tags['rm-received-ts']!, /^\d{13}$/);
    assert.equal(m.tags['rm-received-ts'], m.tags['tmi-sent-ts']);
    assert.equal(m.params[0], '#bridge');
  }
  assert.equal(String(first.ts), parsed[0]!.tags['rm-received-ts']);
  assert.deepEqual([parsed[0]!.nick, parsed[0]!.params[1]], ['alice', 'semi; colon Kappa']);
  assert.equal(parsed[1]!.tags['reply-parent-msg-body'], 'semi; colon Kappa');
  assert.equal(parsed[2]!.tags['msg-param-color'], 'ORANGE');
  assert.deepEqual([parsed[3]!.tags['msg-id'], parsed[3]!.tags['system-msg'], parsed[3]!.tags['msg-param-viewercount']], ['raid', '3 raiders from Raider have joined!', '3']);

  const tmi = body.messages.map((line) => tmiParser.msg(line));
  assert.deepEqual(tmi.map((m) => m.command), ['PRIVMSG', 'PRIVMSG', 'USERNOTICE', 'USERNOTICE']);
  assert.deepEqual(tmi.map((m) => m.tags.historical), ['1', '1', '1', '1']);
  assert.equal(tmi[0]!.params[1], 'semi; colon Kappa');
  assert.equal(tmi[1]!.tags['reply-parent-msg-id'], first.id);
  // irc-framework lower-cases tag names; tmi.js keeps Twitch's spelling.
  assert.equal(tmi[3]!.tags['msg-param-viewerCount'], '3');
});

test('limit, a stream with no lines, a bad channel', async () => {
  const bob = await chatter(server, 'bob', {}, 'paged');
  for (let i = 0; i < 3; i++) await bob.request({ type: 'send', stream: 'paged', text: `line ${i}` });
  bob.close();
  const two = await recent('paged', '?limit=2');
  assert.deepEqual(two.body.messages.map((l) => irc.ircLineParser(l).params[1]), ['line 1', 'line 2']);
  assert.deepEqual((await recent('paged', '?limit=0')).body.messages, []);
  assert.deepEqual((await recent('nothing-here')).body, { messages: [], error: null, error_code: null });
  assert.equal((await recent('not%20a%20stream')).status, 400);
  assert.equal((await recent('paged', '?limit=-1')).status, 400);
});

test('reads without a token count as history reads: past their rate, 429 in the service\'s shape', async () => {
  const answers = await Promise.all(Array.from({ length: 12 }, () => recent('paged')));
  const limited = answers.find((a) => a.status === 429);
  assert.ok(limited, 'some read was limited');
  assert.deepEqual([limited.body.messages, limited.body.error_code], [[], 'rate_limited']);
  assert.match(limited.body.error!, /too many history reads without a token/);
});
