import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCodePoints, normalizeText } from '../../src/chat/text.ts';

function normal(raw: string, max = 500): string {
  const result = normalizeText(raw, max);
  assert.ok(result.ok, `expected ${JSON.stringify(raw)} to be accepted, got ${JSON.stringify(result)}`);
  return result.text;
}

test('plain ASCII passes through; whitespace runs collapse and ends are trimmed', () => {
  assert.equal(normal('hello chat'), 'hello chat');
  assert.equal(normal('  hello   chat  '), 'hello chat');
  assert.equal(normal('a\tb\nc\r\nd'), 'a b c d');
  assert.equal(normal('a\u00A0\u00A0b\u3000c\u2028d'), 'a b c d');
});

test('control characters are removed, except tab, newline and return, which become spaces', () => {
  assert.equal(normal('a\u0000b\u0007c\u001Bd\u007Fe'), 'abcde');
  assert.equal(normal('a\u0085b\u009Fc'), 'abc');
  assert.equal(normal('a\u000Bb\u000Cc'), 'abc');
  assert.equal(normal('line one\nline two'), 'line one line two');
});

test('zero-width and invisible format characters are removed', () => {
  const invisible = ['\u200B', '\u200C', '\u200E', '\u200F', '\u2060', '\u2061', '\u2064', '\uFEFF', '\u180E', '\u00AD', '\u3164', '\u115F', '\uFFA0'];
  for (const ch of invisible) assert.equal(normal(`b${ch}a${ch}d`), 'bad', `U+${ch.codePointAt(0)!.toString(16)}`);
  const bidi = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
  for (const ch of bidi) assert.equal(normal(`abc${ch}def`), 'abcdef', `U+${ch.codePointAt(0)!.toString(16)}`);
});

test('zero width joiner stays only inside emoji sequences', () => {
  const family = '👨\u200D👩\u200D👧';
  assert.equal(normal(family), family);
  const coder = '👩🏽\u200D💻';
  assert.equal(normal(coder), coder);
  assert.equal(normal('b\u200Dad'), 'bad');
  assert.equal(normal('👍\u200Dok'), '👍ok');
});

test('variation selectors are kept (one per character); tag characters only in flag sequences', () => {
  assert.equal(normal('❤\uFE0F'), '❤\uFE0F');
  assert.equal(normal('❤\uFE0F\uFE0F\uFE0E\uFE0F'), '❤\uFE0F');
  const england = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}';
  assert.equal(normal(`go ${england}`), `go ${england}`);
  assert.equal(normal('hi\u{E0068}\u{E0069}\u{E007F} there'), 'hi there');
});

test('lone surrogates are removed, pairs kept', () => {
  assert.equal(normal('a\uD800b\uDC00c'), 'abc');
  assert.equal(normal('a😀b'), 'a😀b');
  assert.ok(normal('x\uDBFF').isWellFormed());
});

test('text is NFC-normalised', () => {
  assert.equal(normal('cafe\u0301'), 'café');
  assert.equal(normal('cafe\u0301').length, 4);
  assert.equal(normal('\u1100\u1161'), '가');
});

test('stacks of combining marks are cut to five', () => {
  const zalgo = 'x' + '\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309'.repeat(5);
  const result = normal(zalgo);
  assert.equal(result, 'x\u0300\u0301\u0302\u0303\u0304');
  assert.equal(normal('Việt'), 'Việt');
});

test('empty, blank and invisible-only lines are invalid', () => {
  for (const raw of ['', '   ', '\n\t', '\u200B\u200B', '\u2800 \u2800', '\u3164', '\u0000']) {
    const result = normalizeText(raw, 500);
    assert.equal(result.ok, false, JSON.stringify(raw));
    if (!result.ok) assert.equal(result.code, 'invalid');
  }
  assert.equal(normal('\u2800⣿\u2800'), '\u2800⣿\u2800', 'braille art keeps its blanks');
});

test('length counts code points after normalisation', () => {
  assert.equal(normal('😀'.repeat(5), 5), '😀'.repeat(5));
  const tooLong = normalizeText('😀'.repeat(6), 5);
  assert.deepEqual(tooLong.ok ? null : tooLong.code, 'too_long');
  assert.equal(normal('e\u0301'.repeat(5), 5), 'é'.repeat(5), 'composed before counting');
  assert.equal(normal(`  ${'a'.repeat(5)}  \u200B`, 5), 'aaaaa', 'trimmed before counting');
  assert.equal(normalizeText('abcdef', 5).ok, false);
});

test('countCodePoints counts astral characters once', () => {
  assert.equal(countCodePoints(''), 0);
  assert.equal(countCodePoints('abc'), 3);
  assert.equal(countCodePoints('a😀b'), 3);
  assert.equal(countCodePoints('👨\u200D👩'), 3);
});
