// IRC has no nonce, but no line is dropped without an answer: a refused
// PRIVMSG is answered with a NOTICE on its own channel, as Twitch does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile } from '../support/servers.ts';
import { ircToken } from '../support/irc-clients.ts';
import { RawIrc } from '../support/raw-irc.ts';

const server = await serverForFile();

/** A signed-in raw IRC client with twitch.tv/commands, in `channel`. */
async function signedIn(name: string, channel: string): Promise<RawIrc> {
  const { ircToken: token } = await ircToken(server, name, { [channel.slice(1)]: ['broadcaster'] });
  const irc = new RawIrc(server.server.ircPort!);
  irc.send('CAP REQ :twitch.tv/tags twitch.tv/commands', `PASS oauth:${token}`, `NICK ${name}`, `JOIN ${channel}`);
  await irc.line(/ROOMSTATE/);
  return irc;
}

test("a bot's 60 lines back to back: each is answered on its channel, accepted (USERSTATE) or refused (NOTICE msg_ratelimit)", async () => {
  const irc = await signedIn('burstbot', '#ir1');
  irc.send(...Array.from({ length: 60 }, (_, i) => `PRIVMSG #ir1 :line ${i}`));
  const answers: string[] = [];
  for (let i = 0; i < 60; i++) answers.push(await irc.line(/ USERSTATE #ir1$| NOTICE #ir1 :/));
  const limited = answers.filter((l) => l.startsWith('@msg-id=msg_ratelimit '));
  assert.ok(limited.length > 0, 'the burst went past the line limit');
  assert.equal(limited.length + answers.filter((l) => l.includes(' USERSTATE ')).length, 60);
  irc.socket.destroy();
});

test('a line with no command is answered, not dropped', async () => {
  const irc = await signedIn('oddbot', '#ir2');
  irc.send('@just=tags', ':only.a.prefix');
  assert.equal(await irc.line(/ 421 /), ':tmi.twitch.tv 421 oddbot * :Unknown command');
  assert.equal(await irc.line(/ 421 /), ':tmi.twitch.tv 421 oddbot * :Unknown command');
  irc.socket.destroy();
});
