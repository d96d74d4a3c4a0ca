// The character tables of term folding (fold.ts). Fullwidth forms, styled
// mathematical letters, circled letters, ligatures and accents are already
// handled by NFKD + mark stripping; these tables cover what Unicode
// normalisation leaves alone: letters of other scripts that look Latin, and
// leetspeak digits and symbols.

/** Folded stand-in for a character that may be read as either "i" or "l" (1, |, capital I). */
export const I_OR_L = '1';

// Target (lower-case Latin, or I_OR_L) -> the characters that look like it,
// upper and lower case alike, since folding maps before lower-casing.
const LOOKALIKES: Readonly<Record<string, string>> = {
  a: 'аАαΑɑ',
  b: 'вВьЬбБβΒ',
  c: 'сСϲϹ¢',
  d: 'ԁԀđĐðÐ',
  e: 'еЕεΕєЄ€',
  g: 'ɡԍ',
  h: 'нНһҺΗħĦ',
  i: 'іıɩ',
  j: 'јЈϳ',
  k: 'кКκΚĸ',
  l: 'łŁ',
  m: 'мМΜ',
  n: 'ηΝп',
  o: 'оОοΟσөӨøØ',
  p: 'рРρΡþÞ',
  q: 'ԛԚ',
  r: 'гɼ',
  s: 'ѕЅ§',
  t: 'тТτΤŧŦ',
  u: 'υμʋ',
  v: 'νѵѴ',
  w: 'ԝԜωш',
  x: 'хХχΧ×',
  y: 'уУүҮγΥ',
  z: 'Ζ',
  [I_OR_L]: 'ІӀӏΙǀ∣',
};

// Letters that are two letters in Latin spelling.
const EXPANSIONS: Readonly<Record<string, string>> = { ß: 'ss', ẞ: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe' };

/** Non-ASCII character -> its folded spelling. */
export const NON_ASCII_FOLDS: ReadonlyMap<string, string> = new Map([
  ...Object.entries(LOOKALIKES).flatMap(([target, sources]) => [...sources].map((source): [string, string] => [source, target])),
  ...Object.entries(EXPANSIONS),
]);

// Leetspeak, plus capital I, which most chat fonts draw like a lower-case l.
// "!" and "|" are also ordinary punctuation, so fold.ts ignores them at the
// edges of a word ("bad!" is "bad", "sh!t" is "shit").
const LEET: Readonly<Record<string, string>> = {
  '0': 'o', '1': I_OR_L, '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g',
  '@': 'a', $: 's', '+': 't', '!': 'i', '|': I_OR_L, I: I_OR_L,
};

/** ASCII code -> folded character code, or -1 for a character that separates words. */
export const ASCII_FOLDS: readonly number[] = Array.from({ length: 128 }, (_, code) => {
  const ch = String.fromCharCode(code);
  if (Object.hasOwn(LEET, ch)) return LEET[ch].charCodeAt(0);
  if (/[A-Za-z0-9]/.test(ch)) return ch.toLowerCase().charCodeAt(0);
  return -1;
});

/** ASCII punctuation (as codes) that is a letter inside a word and punctuation at its edges. */
export const EDGE_PUNCTUATION: ReadonlySet<number> = new Set(['!', '|'].map((ch) => ch.charCodeAt(0)));
