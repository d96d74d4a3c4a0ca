import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldMessage, foldTerm } from '../../src/moderation/fold.ts';
import { TermMatcher } from '../../src/moderation/term-matcher.ts';

const terms = new TermMatcher(['bad', 'ass', 'cunt', 'boob', 'hell', 'shit', 'bitch', 'spoil*', 'kill yourself']);

function matches(text: string): boolean {
  return terms.test(text);
}

function word(text: string): string {
  return String.fromCodePoint(...foldMessage(text).units);
}

test('plain and differently cased terms match as whole words', () => {
  for (const text of ['bad', 'BAD', 'Bad', 'that was bad', 'bad.', '"bad"', 'so bad!!!', 'bad, really']) {
    assert.equal(matches(text), true, text);
  }
});

test('look-alike letters from other scripts and styled forms match', () => {
  const evasions = [
    'b\u0430d', // Cyrillic а
    '\u0432\u0430d', // Cyrillic в а
    'sh\u0456t', // Cyrillic і
    '\u0455hit', // Cyrillic ѕ
    '\u0441unt', // Cyrillic с
    'b\u03b1d', // Greek α
    'h\u0435ll', // Cyrillic е
    'b\u043e\u043eb', // Cyrillic о о
    'ｂａｄ', // fullwidth
    '𝐛𝐚𝐝', // mathematical bold
    '𝓫𝓪𝓭', // mathematical script
    'ⓑⓐⓓ', // circled
    'BÀD',
    'bäd',
    'b\u0301a\u0308d\u0327', // combining marks
  ];
  for (const text of evasions) assert.equal(matches(text), true, text);
});

test('leetspeak matches', () => {
  for (const text of ['b4d', 'b@d', '8ad', 'sh1t', 'sh!t', '$hit', '5hit', 'a$$', '@ss', '4ss', 'b00b', '8008', 'he11', 'h3ll', 'b1tch', 'SHIT', 'HEII']) {
    assert.equal(matches(text), true, text);
  }
});

test('repeated letters match; a term\'s own double letters are minimums', () => {
  for (const text of ['baaaad', 'baaaddd', 'shiiiiit', 'heeeelllll', 'boooob', 'asssss', 'BAAAAD']) {
    assert.equal(matches(text), true, text);
  }
  assert.equal(matches('bob'), false, '"bob" is not "boob"');
  assert.equal(matches('as'), false, '"as" is not "ass"');
  assert.equal(matches('hel'), false);
});

test('letters spaced or punctuated apart match', () => {
  for (const text of ['b a d', 'b.a.d', 'b-a-d', 'b_a_d', 'b * a * d', 'b🙂a🙂d', 'B . A . D', 'b   a   d', 's h i t', 'a s s', 'c.u.n.t']) {
    assert.equal(matches(text), true, text);
  }
  assert.equal(matches('you are a b i t c h'), true, 'a spelled-out word after a one-letter word');
  assert.equal(matches('b a a a d'), true);
  assert.equal(matches('b 4 d'), true);
});

test('everything at once', () => {
  assert.equal(matches('ｓ . Һ . 1 . ｔ'), true);
  assert.equal(matches('b\u200B\u0430\u0430\u0430d'), true, 'zero-width space, Cyrillic and repetition');
  assert.equal(matches('Ｂ.Ａ.Ａ.Ｄ!'), true);
});

test('terms match whole words only: no Scunthorpe problem', () => {
  for (const text of ['class', 'classic', 'assassin', 'passage', 'Scunthorpe', 'hello', 'shell', 'badly', 'abad', 'badge', 'bitchin', 'shiitake', 'cocktail', 'bass guitar']) {
    assert.equal(matches(text), false, text);
  }
});

test('ordinary text is not a spelled-out term', () => {
  for (const text of ['a b c', 'I am a big fan', 'x y z', 'B.A. in history', 'go go go', 'is it bed time', 'U.S.A.']) {
    assert.equal(matches(text), false, text);
  }
});

test('punctuation separates words: "bad-ass-ish" contains the words "bad" and "ass"', () => {
  assert.equal(matches('I said bad-ass-ish'), true);
  assert.equal(new TermMatcher(['ass']).test('bad-ass-ish'), true);
  assert.equal(new TermMatcher(['ass']).test('badass'), false, 'one word, not "ass"');
});

test('a trailing * makes a prefix term', () => {
  for (const text of ['spoil', 'spoiler', 'SPOILERS!', 's p o i l e r', 'sp0iler']) assert.equal(matches(text), true, text);
  assert.equal(matches('unspoiled'), false, 'prefix, not infix');
  assert.equal(new TermMatcher(['spoil']).test('spoiler'), false, 'without *, whole word only');
});

test('multi-word terms match across one word break', () => {
  for (const text of ['kill yourself', 'KILL YOURSELF', 'just kill yourself now', 'k i l l yourself', 'kill y o u r s e l f', 'k i l l y o u r s e l f', 'ki11 y0urself']) {
    assert.equal(matches(text), true, text);
  }
  for (const text of ['kill your self', 'killyourself', 'kill it yourself']) assert.equal(matches(text), false, text);
});

test('terms are folded like messages, so a moderator can write them any way', () => {
  const folded = new TermMatcher(['SH1T', 'Ｆｏｏ', 'f-o-o-b-a-r', 'Crème*']);
  for (const text of ['shit', 'foo', 'foobar', 'cremebrulee', 'CRÈME']) assert.equal(folded.test(text), true, text);
  assert.equal(folded.size, 4);
  assert.equal(new TermMatcher(['', '  ', '***', '!!!']).size, 0);
  assert.equal(new TermMatcher(['bad', 'BAD', 'b4d', 'bad*']).size, 2, 'duplicates after folding count once');
});

test('scripts without spaces match inside a line; other scripts fold consistently', () => {
  const cjk = new TermMatcher(['馬鹿', 'バカ']);
  assert.equal(cjk.test('お前は馬鹿だ'), true);
  assert.equal(cjk.test('バカじゃないの'), true);
  assert.equal(cjk.test('馬が好き'), false);
  const russian = new TermMatcher(['блять']);
  assert.equal(russian.test('ну блять'), true);
  assert.equal(russian.test('б л я т ь'), true);
  assert.equal(russian.test('ну и ладно'), false);
});

test('folding: words, soft runs and leet', () => {
  assert.equal(word('Hello, World!'), 'hello world');
  assert.equal(word('b.a.d day'), 'bad day');
  assert.equal(word('sh!t!!'), 'shit');
  assert.equal(word('|bad|'), 'bad');
  assert.equal(word('ｆｕｌｌ'), 'full');
  assert.equal(word('Iron ki11'), '1ron ki11', 'capital I and digit 1 read as "i or l"');
  assert.equal(word('Straße'), 'strasse');
  const codes = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);
  assert.deepEqual(foldTerm('  Spoil*  '), { units: codes('spoil'), prefix: true });
  assert.deepEqual(foldTerm('SH1T'), { units: codes('shit'), prefix: false }, 'in a term, "i or l" is "i"');
  assert.equal(foldTerm('*'), null);
});

test('an empty matcher matches nothing', () => {
  const none = new TermMatcher([]);
  assert.equal(none.size, 0);
  assert.equal(none.test('anything at all'), false);
});
