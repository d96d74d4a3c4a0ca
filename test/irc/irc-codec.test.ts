import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeTagValue, formatLine, formatTags, parseLine, unescapeTagValue } from '../../src/transports/irc/irc-line.ts';
import { encodeIrcToken, jwtFromPassword } from '../../src/auth/irc-token.ts';
import { emotesTag, withoutTags } from '../../src/transports/irc/twitch-lines.ts';
import type { Message } from '../../src/protocol/types.ts';
import { OutboundFrame } from '../../src/fanout/outbound-frame.ts';
import { IrcFrames } from '../../src/transports/irc/irc-frames.ts';
import { UserDirectory } from '../../src/transports/irc/user-directory.ts';

test('IRC lines parse with tags, prefix, upper-cased command and trailing parameter', () => {
  assert.deepEqual(parseLine('@a=b\\sc;flag;k=x\\:y :nick!u@h privmsg #room :hello : world'), {
    tags: new Map([['a', 'b c'], ['flag', ''], ['k', 'x;y']]),
    prefix: 'nick!u@h',
    command: 'PRIVMSG',
    params: ['#room', 'hello : world'],
  });
  assert.deepEqual(parseLine('PING')?.params, []);
  assert.deepEqual(parseLine('CAP REQ :twitch.tv/tags twitch.tv/commands')?.params, ['REQ', 'twitch.tv/tags twitch.tv/commands']);
  assert.deepEqual(parseLine('PRIVMSG #r :')?.params, ['#r', '']);
  assert.equal(parseLine(''), undefined);
  assert.equal(parseLine('@only-tags'), undefined);
  assert.equal(parseLine(':prefix-only'), undefined);
});

test('tag values escape and unescape as IRCv3 message-tags says, and round-trip', () => {
  const nasty = 'a;b c\\d\re\nf=g,h:';
  assert.equal(escapeTagValue(nasty), 'a\\:b\\sc\\\\d\\re\\nf=g,h:');
  assert.equal(unescapeTagValue(escapeTagValue(nasty)), nasty);
  assert.equal(unescapeTagValue('trailing\\'), 'trailing', 'a lone trailing backslash is dropped');
  assert.equal(unescapeTagValue('\\q'), 'q', 'an unknown escape is the character itself');
  assert.equal(formatTags([['a', 'x y'], ['b', '']]), '@a=x\\sy;b=');
  assert.equal(formatLine('@a=1', 'tmi.twitch.tv', 'NOTICE', ['#r'], ''), '@a=1 :tmi.twitch.tv NOTICE #r :\r\n');
  assert.equal(parseLine(formatLine(formatTags([['m', nasty]]), undefined, 'X', [], 't').trimEnd())?.tags.get('m'), nasty);
  assert.equal(withoutTags('@a=1 :x A\r\n:y B\r\n@b=2 C\r\n'), ':x A\r\n:y B\r\nC\r\n');
});

test('the IRC token survives lower-casing (what tmi.js does to passwords) and carries the JWT exactly', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJVXzEyMyIsIm5hbWUiOiJBbGljZSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  const token = encodeIrcToken(jwt);
  assert.match(token, /^[a-z2-7]+$/);
  assert.equal(jwtFromPassword(token), jwt);
  assert.equal(jwtFromPassword(`oauth:${token}`.toLowerCase()), jwt);
  assert.equal(jwtFromPassword(`OAUTH:${token.toUpperCase()}`), jwt);
  assert.equal(jwtFromPassword(jwt), jwt, 'a raw JWT passes as it is');
  assert.equal(jwtFromPassword('SCHMOOPIIE!'), undefined);
  for (const text of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'é€😀']) assert.equal(jwtFromPassword(encodeIrcToken(text) || 'x'), text === '' ? undefined : text);
});

test('the emotes tag uses code-point indexes, inclusive ends, and ids that never hold : / ,', () => {
  const message = (text: string, emotes: Message['emotes']): Message => ({
    id: 'i', stream: 's', seq: 1, ts: 1, user: { id: 'u', name: 'n', badges: [] }, text, emotes,
  });
  assert.equal(emotesTag(message('Kappa hi Kappa', [{ name: 'Kappa', start: 0, end: 5 }, { name: 'Kappa', start: 9, end: 14 }])), 'Kappa:0-4,9-13');
  // 😀 is two UTF-16 units but one character for Twitch.
  assert.equal(emotesTag(message('😀 :) <3', [{ name: ':)', start: 3, end: 5 }, { name: '<3', start: 6, end: 8 }])), '%3A):2-3/%3C3:5-6');
  assert.equal(emotesTag(message('plain', undefined)), '');
});

test('a hub frame is encoded for IRC once: every IRC client gets the very same bytes', () => {
  const directory = new UserDirectory(10);
  const frames = new IrcFrames(directory);
  const m: Message = { id: 'id1', stream: 'room', seq: 1, ts: 5, user: { id: 'u1', name: 'Alice', badges: ['moderator'] }, text: 'hi' };
  const hubFrame = new OutboundFrame({ kind: 'msgs', stream: 'room', messages: [m] }, 1, 1);
  const irc = frames.of(hubFrame);
  assert.equal(frames.of(hubFrame), irc);
  assert.equal(irc.bytes(true, true), irc.bytes(true, true), 'same Buffer for every WebSocket client');
  assert.equal(irc.bytes(false, false), irc.bytes(false, false), 'same Buffer for every TCP client');
  assert.equal(irc.bytes(false, false).toString(), ':alice!alice@alice.tmi.twitch.tv PRIVMSG #room :hi\r\n');
  assert.equal(directory.idOf('ALICE'), 'u1', 'the first sight teaches the directory');
  assert.equal(irc.textWithout(new Set(['id1'])), '');
});
