import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanNonce } from '../../src/protocol/nonce.ts';

test('scanNonce reads the top-level nonce as JSON.parse would, also from text JSON.parse rejects', () => {
  const cases: Array<[string, string | number | undefined]> = [
    ['{"type":"send","nonce":"k1"}', 'k1'],
    ['{"nonce":42}', 42],
    ['{"nonce":-1.5e3}', -1500],
    ['{ "nonce" : "spaced" }', 'spaced'],
    ['{"n\\u006fnce":"escaped key"}', 'escaped key'],
    ['{"nonce":"a\\"b"}', 'a"b'],
    ['{"nonce":"first","nonce":"last"}', 'last'],
    ['{"text":"\\"nonce\\": 5","nonce":7}', 7],
    ['{"text":"{\\"nonce\\":5}"}', undefined],
    ['{"inner":{"nonce":"nested"}}', undefined],
    ['{"list":[{"nonce":1}],"nonce":2}', 2],
    ['{"nonce":{"a":1}}', undefined],
    ['{"nonce":"1","nonce":[1]}', undefined],
    ['{"nonce":true}', undefined],
    ['{"nonce":"' + 'x'.repeat(65) + '"}', undefined],
    ['{"a":"nonce","b":1}', undefined],
    ['{"nonce":"k",}', 'k'],
    ['{"type":"send","nonce":"cut","text":"unterminat', 'cut'],
    ['{"text":"unterminated, "nonce":3', undefined],
    ['[{"nonce":1}]', undefined],
    ['"nonce"', undefined],
    ['', undefined],
    ['   {"nonce":0}', 0],
  ];
  for (const [text, expected] of cases) assert.equal(scanNonce(text), expected, text);
});
