// A plain IRC session over a raw TCP socket, line by line: the exact wire
// form of registration, join, chat, refusals, keepalive and limits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import type { RunningServer } from '../../src/server.ts';
import { ircToken } from '../support/irc-clients.ts';
import { RawIrc } from '../support/raw-irc.ts';

let server: TestServer & { server: RunningServer };
before(async () => {
  server = await startTestServer(['--heartbeat-ms', '1000']);
});
after(async () => {
  await server.stop();
});

test('a raw TCP session: CAP negotiation, registration, join, chat both ways, refusals, PING', async () => {
  const { ircToken: token, user } = await ircToken(server, 'Rawley', { raw: ['subscriber'] });
  const irc = new RawIrc(server.server.ircPort!);
  irc.send('CAP LS 302', `PASS oauth:${token}`, 'NICK Rawley', 'USER rawley 0 * :Raw Ley');
  assert.equal(await irc.line(/CAP/), ':tmi.twitch.tv CAP * LS :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
  // Registration waits for CAP END once CAP LS was seen.
  irc.send('cap req :twitch.tv/tags twitch.tv/commands');
  assert.equal(await irc.line(/CAP/), ':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands');
  irc.send('CAP REQ :twitch.tv/tags sasl');
  assert.equal(await irc.line(/CAP/), ':tmi.twitch.tv CAP * NAK :twitch.tv/tags sasl');
  assert.equal(irc.lines.some((l) => / 001 /.test(l)), false);
  irc.send('CAP END');
  assert.equal(await irc.line(/ 001 /), ':tmi.twitch.tv 001 rawley :Welcome, GLHF!');
  assert.equal(await irc.line(/ 376 /), ':tmi.twitch.tv 376 rawley :>');
  const global = await irc.line(/GLOBALUSERSTATE/);
  assert.match(global, new RegExp(`^@badge-info=;badges=;color=#[0-9A-F]{6};display-name=Rawley;emote-sets=0;user-id=${user.id};user-type= :tmi.twitch.tv GLOBALUSERSTATE$`));

  irc.send('JOIN #raw');
  const joinLines = [await irc.line(/JOIN/), await irc.line(/ 353 /), await irc.line(/ 366 /), await irc.line(/USERSTATE/), await irc.line(/ROOMSTATE/)];
  assert.equal(joinLines[0], ':rawley!rawley@rawley.tmi.twitch.tv JOIN #raw');
  assert.equal(joinLines[1], ':rawley.tmi.twitch.tv 353 rawley = #raw :rawley');
  assert.equal(joinLines[2], ':rawley.tmi.twitch.tv 366 rawley #raw :End of /NAMES list');
  assert.match(joinLines[3]!, /^@badge-info=;badges=subscriber\/0;color=#[0-9A-F]{6};display-name=Rawley;mod=0;subscriber=1;user-type=;emote-sets=0 :tmi.twitch.tv USERSTATE #raw$/);
  assert.equal(joinLines[4], '@emote-only=0;followers-only=-1;r9k=0;room-id=raw;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #raw');
  assert.deepEqual(irc.lines.slice(irc.lines.indexOf(joinLines[0]!), irc.lines.indexOf(joinLines[4]!) + 1), joinLines, 'in this order, nothing between');

  const v1 = await chatter(server, 'vee', {}, 'raw');
  irc.send('PRIVMSG #raw :hello; from raw \\o/');
  const seen = await v1.next('msg', (f) => f.text === 'hello; from raw \\o/');
  assert.equal(seen.user.id, user.id);
  assert.match(await irc.line(/USERSTATE/), /USERSTATE #raw$/);

  const ack = await v1.request({ type: 'send', stream: 'raw', text: 'tags; escape me' });
  const privmsg = await irc.line(/PRIVMSG/);
  assert.equal(privmsg.includes(`;id=${ack.id};`), true);
  assert.match(privmsg, /:vee!vee@vee\.tmi\.twitch\.tv PRIVMSG #raw :tags; escape me$/);
  assert.equal(irc.lines.filter((l) => l.includes('hello; from raw')).length, 0, 'own line never echoed');

  irc.send('PRIVMSG #raw :   ');
  assert.match(await irc.line(/NOTICE/), /^@msg-id=msg_bad_characters :tmi.twitch.tv NOTICE #raw :/);
  irc.send('PRIVMSG #bad!name :hi');
  assert.match(await irc.line(/NOTICE/), /^@msg-id=msg_room_not_found /);
  irc.send('PRIVMSG #raw :/frobnicate now');
  assert.equal(await irc.line(/NOTICE/), '@msg-id=unrecognized_cmd :tmi.twitch.tv NOTICE #raw :Unrecognized command: /frobnicate');
  irc.send('WHOIS someone');
  assert.equal(await irc.line(/ 421 /), ':tmi.twitch.tv 421 rawley WHOIS :Unknown command');

  irc.send('PING');
  assert.equal(await irc.line(/PONG/), 'PONG :tmi.twitch.tv');
  irc.send('PING 12345');
  assert.equal(await irc.line(/PONG/), ':tmi.twitch.tv PONG tmi.twitch.tv :12345');
  // The server's keepalive is unprefixed, as tmi.js requires.
  assert.equal(await irc.line(/^PING/), 'PING :tmi.twitch.tv');
  irc.send('PONG :tmi.twitch.tv');

  irc.send('PART #raw');
  assert.equal(await irc.line(/PART/), ':rawley!rawley@rawley.tmi.twitch.tv PART #raw');
  irc.send('QUIT');
  await irc.closed;
  v1.ws.close();
});

test('a session without tags gets plain lines; a silent client is dropped; anonymous and bad logins', async () => {
  const plain = new RawIrc(server.server.ircPort!);
  plain.send('NICK justinfan777', 'JOIN #plain');
  assert.equal(await plain.line(/ 001 /), ':tmi.twitch.tv 001 justinfan777 :Welcome, GLHF!');
  assert.equal(await plain.line(/JOIN/), ':justinfan777!justinfan777@justinfan777.tmi.twitch.tv JOIN #plain');
  const v1 = await chatter(server, 'pia', {}, 'plain');
  await v1.request({ type: 'send', stream: 'plain', text: 'no tags here' });
  assert.equal(await plain.line(/PRIVMSG/), ':pia!pia@pia.tmi.twitch.tv PRIVMSG #plain :no tags here');
  assert.equal(plain.lines.some((l) => /ROOMSTATE|USERSTATE/.test(l)), false, 'no twitch.tv/commands, no commands');
  plain.send('PRIVMSG #plain :lurker speaks');
  assert.match(await plain.line(/NOTICE/), /^:tmi.twitch.tv NOTICE #plain :You don't have permission/);
  // Answers no PING: dropped after the next heartbeat (1 s here).
  await plain.closed;
  v1.ws.close();

  const anonymousNoPass = new RawIrc(server.server.ircPort!);
  anonymousNoPass.send('NICK someone');
  assert.equal(await anonymousNoPass.line(/NOTICE/), ':tmi.twitch.tv NOTICE * :Improperly formatted auth');
  await anonymousNoPass.closed;

  const badPass = new RawIrc(server.server.ircPort!);
  badPass.send('PASS oauth:notatoken', 'NICK someone');
  assert.equal(await badPass.line(/NOTICE/), ':tmi.twitch.tv NOTICE * :Login authentication failed');
  await badPass.closed;

  const tooLong = new RawIrc(server.server.ircPort!);
  tooLong.send('NICK justinfan1', 'PRIVMSG #x :' + 'a'.repeat(9_000));
  assert.equal(await tooLong.line(/ERROR/), 'ERROR :Closing Link: line too long');
  await tooLong.closed;
});
