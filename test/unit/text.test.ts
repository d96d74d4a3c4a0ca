import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCodePoints, normalizeText } from '../../src/chat/text.ts';
import { ModerationPolicy } from '../../src/moderation/moderation-policy.ts';

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

// The cost of Unicode normalisation is linear in the length of its input times
// the longest run of combining marks (non-starters) in it: canonical reordering
// sorts each run. The raw length cap bounds the first factor and the mark-run
// cap the second, whatever the text; these tests check both bounds on what
// every normalize() call of the send path is given, instead of timing it.
const MAX_RAW_FACTOR = 4;
const STREAM_SAFE_RUN = 30;
// Decomposing the letter a run follows adds at most 6 marks to it (the most any character's NFKD ends with).
const LONGEST_RUN = STREAM_SAFE_RUN + 6;

interface NormaliserWork {
  calls: number;
  longestInput: number;
  longestMarkRun: number;
}

function normaliserWork(run: () => void): NormaliserWork {
  const original = String.prototype.normalize;
  const work: NormaliserWork = { calls: 0, longestInput: 0, longestMarkRun: 0 };
  String.prototype.normalize = function (this: string, form?: string) {
    work.calls++;
    work.longestInput = Math.max(work.longestInput, this.length);
    // Marks as the normaliser sorts them: after full compatibility decomposition.
    for (const marks of original.call(this, 'NFKD').match(/\p{M}+/gu) ?? []) work.longestMarkRun = Math.max(work.longestMarkRun, [...marks].length);
    return original.call(this, form);
  };
  try {
    run();
  } finally {
    String.prototype.normalize = original;
  }
  return work;
}

// Each flood: a letter, then one repeated piece, filling `units` UTF-16 units.
const MARK_FLOODS: Record<string, [letter: string, piece: string]> = {
  'alternating combining classes': ['a', '\u0301\u0316'],
  'marks split by invisible characters': ['a', '\u0301\u200B\u0316'],
  'marks split by controls and variation selectors': ['a', '\u0301\u0007\u0316\uFE0F\uFE0F'],
  'halfwidth sound marks (combining only under NFKD)': ['ｶ', '\uFF9E\u0301'],
  'Thai sara am between marks': ['ก', '\u0E33\u0E48'],
};

function flood([letter, piece]: [string, string], units: number): string {
  return letter + piece.repeat(Math.floor((units - letter.length) / piece.length));
}

test('text longer than four UTF-16 units per allowed code point is too_long before any normalisation', () => {
  for (const [name, pieces] of Object.entries(MARK_FLOODS)) {
    const raw = flood(pieces, 64 * 1024);
    let result: ReturnType<typeof normalizeText> | undefined;
    const work = normaliserWork(() => (result = normalizeText(raw, 500)));
    assert.equal(result!.ok ? 'ok' : result!.code, 'too_long', name);
    assert.equal(work.calls, 0, `${name}: normalised before refusing`);
  }
  assert.equal(normalizeText('a'.repeat(500 * MAX_RAW_FACTOR + 1), 500).ok, false);
  assert.equal(normal(` ${'a'.repeat(500)}${' '.repeat(500 * MAX_RAW_FACTOR - 502)} `), 'a'.repeat(500), 'at the cap: normalised, then counted');
});

test(`the normaliser never sorts a run of more than ${STREAM_SAFE_RUN} combining marks, so its work is linear`, () => {
  for (const max of [500, 10_000]) {
    for (const [name, pieces] of Object.entries(MARK_FLOODS)) {
      const raw = flood(pieces, max * MAX_RAW_FACTOR);
      const work = normaliserWork(() => normalizeText(raw, max));
      assert.ok(work.calls > 0, name);
      assert.ok(work.longestInput <= max * MAX_RAW_FACTOR, `${name}: input of ${work.longestInput} units`);
      assert.ok(work.longestMarkRun <= LONGEST_RUN, `${name} (max ${max}): a run of ${work.longestMarkRun} marks`);
    }
  }
});

test('what survives a mark flood has short runs of marks, so moderation normalises it in linear time too', () => {
  for (const [name, pieces] of Object.entries(MARK_FLOODS)) {
    const result = normalizeText(flood(pieces, 4000), 10_000);
    assert.ok(result.ok, name);
    const work = normaliserWork(() => {
      const policy = new ModerationPolicy({ blockedTerms: ['slur'], heldTerms: ['spoil*'], blockLinks: true, blockPhones: true, blockEmails: true });
      policy.evaluate(result.text, 's', { blockedTerms: ['pineapple'], blockLinks: true }, false);
    });
    assert.ok(work.longestMarkRun <= LONGEST_RUN, `${name}: moderation normalised a run of ${work.longestMarkRun} marks`);
  }
});
