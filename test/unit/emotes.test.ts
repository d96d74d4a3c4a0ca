import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GLOBAL_EMOTES, EmoteSet } from '../../src/chat/emotes.ts';

const global = new EmoteSet(['Kappa', 'PogChamp', 'LUL', '<3']);

test('find returns each token that is exactly an emote, with UTF-16 offsets', () => {
  assert.deepEqual(global.find('Kappa hello LUL'), [
    { name: 'Kappa', start: 0, end: 5 },
    { name: 'LUL', start: 12, end: 15 },
  ]);
  assert.deepEqual(global.find('😀 Kappa'), [{ name: 'Kappa', start: 3, end: 8 }]);
  assert.deepEqual(global.find('i <3 you <3'), [
    { name: '<3', start: 2, end: 4 },
    { name: '<3', start: 9, end: 11 },
  ]);
});

test('matching is case-sensitive and whole-token only', () => {
  assert.deepEqual(global.find('kappa KAPPA Kappa, Kappa! xKappa KappaKappa'), []);
  assert.deepEqual(global.find('Kappa\tLUL'), [
    { name: 'Kappa', start: 0, end: 5 },
    { name: 'LUL', start: 6, end: 9 },
  ]);
});

test('a second set (the stream\'s) is consulted without merging', () => {
  const stream = new EmoteSet(['chorusHype']);
  assert.deepEqual(global.find('chorusHype Kappa'), [{ name: 'Kappa', start: 11, end: 16 }]);
  assert.deepEqual(global.find('chorusHype Kappa', stream), [
    { name: 'chorusHype', start: 0, end: 10 },
    { name: 'Kappa', start: 11, end: 16 },
  ]);
  assert.deepEqual(new EmoteSet([]).find('chorusHype', stream), [{ name: 'chorusHype', start: 0, end: 10 }]);
});

test('isEmoteOnly needs at least one token, all of them emotes', () => {
  const stream = new EmoteSet(['chorusHype']);
  assert.equal(global.isEmoteOnly('Kappa'), true);
  assert.equal(global.isEmoteOnly('Kappa LUL <3 Kappa'), true);
  assert.equal(global.isEmoteOnly('Kappa lol'), false);
  assert.equal(global.isEmoteOnly('Kappa chorusHype'), false);
  assert.equal(global.isEmoteOnly('Kappa chorusHype', stream), true);
  assert.equal(global.isEmoteOnly(''), false);
  assert.equal(global.isEmoteOnly('   '), false);
});

test('names that cannot be tokens are ignored', () => {
  const set = new EmoteSet(['', 'two words', 'ok']);
  assert.equal(set.size, 1);
  assert.equal(set.has('two words'), false);
  assert.deepEqual(set.find('two words ok'), [{ name: 'ok', start: 10, end: 12 }]);
});

test('the default global set holds classic, distinct, single-token names', () => {
  assert.ok(DEFAULT_GLOBAL_EMOTES.length >= 24);
  assert.equal(new Set(DEFAULT_GLOBAL_EMOTES).size, DEFAULT_GLOBAL_EMOTES.length);
  for (const name of DEFAULT_GLOBAL_EMOTES) assert.doesNotMatch(name, /\s/);
  const set = new EmoteSet(DEFAULT_GLOBAL_EMOTES);
  assert.equal(set.isEmoteOnly('Kappa PogChamp LUL <3'), true);
  assert.ok(Object.isFrozen(DEFAULT_GLOBAL_EMOTES));
});
