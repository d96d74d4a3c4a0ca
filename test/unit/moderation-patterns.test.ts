import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasEmail, hasLink, hasPhone } from '../../src/moderation/contact-patterns.ts';

test('links in many forms are found', () => {
  const links = [
    'https://example.com',
    'see http://example.com/path?q=1',
    'HTTP://EXAMPLE.COM',
    'ftp://files.example.org',
    'http://localhost:8080',
    'go to www.example.org now',
    'WWW.EXAMPLE.NET',
    'example.com',
    'visit Example.Com!',
    'bit.ly/3abcD',
    'join discord.gg/abcdef',
    't.me/somechannel',
    'youtu.be/dQw4w9WgXcQ',
    'x.com/someone',
    'shop.example.co.uk/sale',
    'my-site.xyz',
    'free-vbucks.tk',
    'example[.]com',
    'example(.)com',
    'example (dot) com',
    'example[dot]com',
    'example{dot}net',
    'пример.com',
    'example\u3002com',
    'ｅｘａｍｐｌｅ．ｃｏｍ'.normalize('NFKC'),
  ];
  for (const text of links) assert.equal(hasLink(text), true, text);
});

test('ordinary text with dots is not a link', () => {
  const plain = [
    'hello world',
    'e.g. this one',
    'i.e. that',
    'wait...what',
    'ok.so then',
    'do.it now',
    'pi is 3.14',
    'version 1.2.3',
    'node.js is fine',
    'index.html',
    'U.S.A.',
    'a.m. or p.m.',
    'The end. Com on',
    'the dot com bubble',
    'a .net developer',
    'I love .NET',
    'example. com',
    'example . com',
    'example.community',
    'examplecom',
  ];
  for (const text of plain) assert.equal(hasLink(text), false, text);
});

test('an e-mail address is an e-mail, not a link', () => {
  assert.equal(hasLink('me@example.com'), false);
  assert.equal(hasEmail('me@example.com'), true);
});

test('e-mail addresses are found, also written out', () => {
  const emails = [
    'me@example.com',
    'write to first.last+tag@mail.example.org',
    'ME@EXAMPLE.COM',
    'me @ example.com',
    'me (at) example (dot) com',
    'me [at] gmail.com',
    'me{at}gmail{dot}com',
    'josé@exämple.de',
  ];
  for (const text of emails) assert.equal(hasEmail(text), true, text);
  for (const text of ['@user hello', 'a@b', 'me@localhost', 'x@y.z1', 'meet me at the park.com', 'price @ 5.99', 'email at example dot com']) {
    assert.equal(hasEmail(text), false, text);
  }
});

test('phone numbers are found in common formats', () => {
  const phones = [
    'call 555-123-4567',
    '(555) 123-4567',
    '555.123.4567',
    '555 123 4567',
    '5551234567',
    '1-800-555-1234',
    '+1 555 123 4567',
    '+1 (555) 123-4567',
    '+44 20 7946 0958',
    '+49 151 23456789',
    '+354 555 1234',
    '0151 234 5678',
    'call 555-1234',
    'text me at 555 - 123 - 4567',
    '５５５-１２３-４５６７'.normalize('NFKC'),
  ];
  for (const text of phones) assert.equal(hasPhone(text), true, text);
});

test('numbers that are not phone numbers are left alone', () => {
  const plain = [
    'year 2024',
    'score 3-2',
    '$1,000,000',
    '1 2 3 4 5 6 7 8 9 10',
    '2024-01-15',
    '2024-01-15 10:30',
    'on 12/25/2024 10 people came',
    'from 2024-01-15 to 2024-02-01',
    'version 1.2.3.4',
    'gg 100-0',
    'room 1234',
    'it costs 19.99',
    '12345678901234567890',
  ];
  for (const text of plain) assert.equal(hasPhone(text), false, text);
});

test('patterns stay fast on adversarial input', () => {
  const inputs = [
    'a.'.repeat(250),
    'a-'.repeat(250),
    'a'.repeat(500),
    'a@'.repeat(250),
    '1-'.repeat(250),
    '1 '.repeat(250),
    '(1)'.repeat(160),
    'a [dot] '.repeat(60),
    'x'.repeat(499) + '.',
    // As long as a message may be (maxTextLength's maximum, 10,000): bracketed
    // dots between labels, where every label could start a host.
    'a [dot] '.repeat(1250),
    '[.]a '.repeat(2000),
    'a(.)'.repeat(2500),
    'a.a (dot) '.repeat(1000),
  ];
  for (const text of inputs) {
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      hasLink(text);
      hasEmail(text);
      hasPhone(text);
    }
    const ms = (performance.now() - started) / 20;
    // A generous bound: a catastrophic pattern would take seconds, not milliseconds.
    assert.ok(ms < 50, `${JSON.stringify(text.slice(0, 20))}... took ${ms.toFixed(2)} ms`);
  }
});
