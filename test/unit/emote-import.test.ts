import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importEmotes } from '../../src/chat/emote-import.ts';
import { imageOriginProblem, imageUrlProblem, ImageOrigins } from '../../src/chat/image-urls.ts';

// Shapes as the services' APIs answer them, cut down to the fields that matter plus some that do not.
const sevenTvEmote = (name: string, id: string, animated: boolean, files = ['1x.webp', '2x.webp', '1x.avif']) => ({
  id, name, flags: 0, timestamp: 1_700_000_000_000,
  data: { id, name: `${name}_original`, animated, listed: true, host: { url: `//cdn.7tv.app/emote/${id}`, files: files.map((f) => ({ name: f, format: f.endsWith('webp') ? 'WEBP' : 'AVIF', width: 32, height: 32 })) } },
});

test('7TV: an emote set and a user connection both give the set alias, the 2x webp and the animated flag', () => {
  const set = { id: 'set1', name: 'channel', emotes: [sevenTvEmote('catJAM', '01AA', true), sevenTvEmote('peepoHey', '01BB', false, ['1x.avif', '1x.webp'])] };
  const expected = [
    { name: 'catJAM', url: 'https://cdn.7tv.app/emote/01AA/2x.webp', animated: true },
    { name: 'peepoHey', url: 'https://cdn.7tv.app/emote/01BB/1x.webp', animated: false },
  ];
  assert.deepEqual(importEmotes('7tv', set), { emotes: expected, skipped: 0 });
  assert.deepEqual(importEmotes('7tv', { id: 'user', username: 'someone', emote_set: set }), { emotes: expected, skipped: 0 });
});

test('BTTV: a channel (own and shared emotes) and the global list', () => {
  const channel = {
    id: 'c', bots: [], avatar: 'x',
    channelEmotes: [{ id: '5e76d338d6581c3724c0f0b2', code: 'PepeLaugh', imageType: 'png', animated: false, userId: 'u' }],
    sharedEmotes: [{ id: '5f1b0186cf6d2144653d2970', code: 'catJAM', imageType: 'gif', animated: true, user: {} }],
  };
  assert.deepEqual(importEmotes('bttv', channel), {
    emotes: [
      { name: 'PepeLaugh', url: 'https://cdn.betterttv.net/emote/5e76d338d6581c3724c0f0b2/2x', animated: false },
      { name: 'catJAM', url: 'https://cdn.betterttv.net/emote/5f1b0186cf6d2144653d2970/2x', animated: true },
    ],
    skipped: 0,
  });
  assert.deepEqual(importEmotes('bttv', [{ id: '54fa8f1401e468494b85b537', code: ':tf:', imageType: 'gif' }]).emotes, [
    { name: ':tf:', url: 'https://cdn.betterttv.net/emote/54fa8f1401e468494b85b537/2x', animated: true },
  ]);
});

test('FFZ: a room with its sets, one set, protocol-relative URLs and animated images', () => {
  const room = {
    room: { id: 'r', set: 12 },
    sets: {
      12: {
        id: 12, title: 'Channel',
        emoticons: [
          { id: 1, name: 'OMEGALUL', urls: { 1: '//cdn.frankerfacez.com/emote/1/1', 2: '//cdn.frankerfacez.com/emote/1/2', 4: '//cdn.frankerfacez.com/emote/1/4' } },
          { id: 2, name: 'Dance', urls: { 1: 'https://cdn.frankerfacez.com/emote/2/1' }, animated: { 1: 'https://cdn.frankerfacez.com/emote/2/animated/1', 2: 'https://cdn.frankerfacez.com/emote/2/animated/2' } },
        ],
      },
    },
  };
  const emotes = [
    { name: 'OMEGALUL', url: 'https://cdn.frankerfacez.com/emote/1/2', animated: false },
    { name: 'Dance', url: 'https://cdn.frankerfacez.com/emote/2/animated/2', animated: true },
  ];
  assert.deepEqual(importEmotes('ffz', room), { emotes, skipped: 0 });
  assert.deepEqual(importEmotes('ffz', { set: room.sets[12] }), { emotes, skipped: 0 });
});

test('entries without a usable name or URL, duplicates and other shapes are skipped, never trusted', () => {
  const result = importEmotes('bttv', {
    channelEmotes: [
      { id: 'aaaa', code: 'ok' },
      { id: 'bbbb', code: 'two words' },
      { id: '../../evil', code: 'traversal' },
      { id: 'cccc', code: 'ok' },
      { id: 'dddd' },
      'not an object',
    ],
    sharedEmotes: 'not a list',
  });
  assert.deepEqual(result, { emotes: [{ name: 'ok', url: 'https://cdn.betterttv.net/emote/aaaa/2x', animated: false }], skipped: 5 });
  const ffz = importEmotes('ffz', { set: { emoticons: [
    { name: 'js', urls: { 1: 'javascript:alert(1)' } },
    { name: 'plain', urls: { 1: 'http://cdn.example/1' } },
    { name: 'local', urls: { 1: 'http://127.0.0.1:9/e.png' } },
    { name: '__proto__', urls: { 1: 'https://cdn.example/p' } },
  ] } });
  assert.deepEqual(ffz.emotes.map((e) => e.name), ['local', '__proto__']);
  assert.equal(ffz.skipped, 2);
  const seven = importEmotes('7tv', { emotes: [sevenTvEmote('sneaky', '01CC', false, ['../x.webp'])] });
  assert.deepEqual(seven, { emotes: [], skipped: 1 });
  assert.deepEqual(importEmotes('7tv', null), { emotes: [], skipped: 0 });
  assert.deepEqual(importEmotes('ffz', 'text'), { emotes: [], skipped: 0 });
});

test('at most 500 emotes are taken from one set', () => {
  const many = Array.from({ length: 520 }, (_, i) => ({ id: `id${i}`, code: `e${i}` }));
  const result = importEmotes('bttv', many);
  assert.equal(result.emotes.length, 500);
  assert.equal(result.skipped, 20);
});

test('image URLs: https anywhere, http only on loopback, bounded; origins exact', () => {
  assert.equal(imageUrlProblem('https://cdn.7tv.app/emote/1/2x.webp'), undefined);
  assert.equal(imageUrlProblem('http://localhost:8080/e.png'), undefined);
  assert.equal(imageUrlProblem('http://[::1]/e.png'), undefined);
  assert.match(imageUrlProblem('http://cdn.example/e.png')!, /https/);
  assert.match(imageUrlProblem('data:image/png;base64,AAAA')!, /https/);
  assert.match(imageUrlProblem('https://user:pw@cdn.example/e.png')!, /password/);
  assert.match(imageUrlProblem(`https://cdn.example/${'a'.repeat(600)}`)!, /512/);
  assert.match(imageUrlProblem('/relative.png')!, /absolute/);
  assert.equal(imageOriginProblem('https://cdn.7tv.app'), undefined);
  assert.match(imageOriginProblem('https://cdn.7tv.app/')!, /origin only/);
  assert.match(imageOriginProblem('https://cdn.7tv.app/emote')!, /origin only/);
  const origins = new ImageOrigins(['https://cdn.7tv.app', 'http://127.0.0.1:9000']);
  assert.equal(origins.allows('https://cdn.7tv.app/emote/1/2x.webp'), true);
  assert.equal(origins.allows('https://cdn.7tv.app.evil.example/x.webp'), false);
  assert.equal(origins.allows('http://cdn.7tv.app/emote/1/2x.webp'), false);
  assert.equal(origins.allows('http://127.0.0.1:9000/e.png'), true);
  assert.equal(origins.cspSources(), "'self' data: https://cdn.7tv.app http://127.0.0.1:9000");
  assert.equal(new ImageOrigins([]).allows('https://cdn.7tv.app/e.png'), false);
});
