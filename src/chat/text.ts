// Validation step 3 of the lifecycle: one canonical form for every chat line,
// so that what is stored, matched by moderation and shown is the same text,
// and nothing invisible can hide in it.

export type NormalizedText = { ok: true; text: string } | { ok: false; code: 'invalid' | 'too_long'; message: string };

// Fast path: printable ASCII needs only whitespace collapsing.
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

// Removed before NFC, in one pass (`$1` keeps what the first group matched):
// - a complete emoji tag sequence (the flags of England, Scotland, Wales) is
//   kept; tag characters anywhere else are removed, since they are invisible
//   and are used to smuggle hidden text;
// - C0 and C1 controls except \t \n \r, which become spaces further on;
// - lone surrogates (`\p{Cs}` matches only unpaired halves under /v);
// - default-ignorable code points (zero-width spaces, joiners, soft hyphen,
//   word joiner, BOM, bidi embeddings, overrides and isolates, Hangul fillers,
//   U+180E) and the interlinear annotation controls, EXCEPT variation
//   selectors, which emoji and CJK text need to render as intended;
// - a variation selector that follows another one: a base takes at most one,
//   and long runs of them are a known way to carry invisible payloads;
// - ZERO WIDTH JOINER, unless it sits between two pictographs, where it forms
//   one emoji (a family, a profession) rather than hiding inside a word.
const VS = String.raw`\uFE00-\uFE0F\u180B-\u180D\u180F\u{E0100}-\u{E01EF}`;
const PICTOGRAPH = String.raw`\p{Extended_Pictographic}`;
const STRIP = new RegExp(
  [
    String.raw`(\u{1F3F4}[\u{E0020}-\u{E007E}]{1,8}\u{E007F})`,
    String.raw`[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]`,
    String.raw`\p{Cs}`,
    String.raw`[[\p{Default_Ignorable_Code_Point}\uFFF9-\uFFFB]--[${VS}\u200D]]`,
    String.raw`(?<=[${VS}])[${VS}]`,
    String.raw`\u200D(?!${PICTOGRAPH})`,
    String.raw`(?<!${PICTOGRAPH}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D`,
  ].join('|'),
  'gv',
);

// Unicode normalisation sorts every run of combining marks (canonical
// reordering), which costs the square of the run's length: a 64 KiB message of
// marks with alternating classes is a quarter second of the event loop. Two
// bounds make it linear, and both hold before anything is normalised:
// - the raw text may have at most this many UTF-16 units per code point the
//   message may have (room for surrogate pairs, decomposed letters, Hangul
//   jamo, collapsed whitespace and stripped invisibles);
// - a run of marks is cut to 30, the bound of UAX #15's Stream-Safe Text
//   Format. The four non-marks in the class decompose (NFKD, in moderation's
//   folding) into marks, so they count as marks here.
export const RAW_UNITS_PER_CODE_POINT = 4;
const STREAM_SAFE_MARKS = 30;
const MARK_LIKE = String.raw`[\p{M}\u0E33\u0EB3\uFF9E\uFF9F]`;
const LONG_MARK_RUNS = new RegExp(String.raw`(${MARK_LIKE}{${STREAM_SAFE_MARKS}})${MARK_LIKE}+`, 'gu');

// "Zalgo" text stacks dozens of combining marks on one letter and draws over
// neighbouring lines. Real orthographies (Vietnamese, Thai, Tibetan stacks)
// need a handful at most after NFC, so marks beyond five in a row are dropped.
const MAX_STACKED_MARKS = 5;
const EXCESS_MARKS = new RegExp(String.raw`(?<=[\p{Mn}\p{Me}]{${MAX_STACKED_MARKS}})[\p{Mn}\p{Me}]`, 'gu');

// Any run of Unicode whitespace (tab, newline, no-break space, ideographic
// space, line separator...) becomes one ASCII space; single spaces are left alone.
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

// A line of nothing but spaces and braille blanks (U+2800, a common "empty
// message" trick) is empty. U+2800 is kept elsewhere: braille art uses it.
const BLANK = /^[\s\u2800]*$/;

/**
 * NFC-normalises `raw`, strips control and invisible characters, collapses
 * whitespace and trims. Refuses an empty result (`invalid`), and one longer
 * than `maxCodePoints` code points or a raw text longer than
 * RAW_UNITS_PER_CODE_POINT times that in UTF-16 units (`too_long`). The work
 * is linear in the length of `raw`.
 */
export function normalizeText(raw: string, maxCodePoints: number): NormalizedText {
  const unread = refuseRawLength(raw, maxCodePoints);
  if (unread !== undefined) return unread;
  let text = raw;
  if (!PRINTABLE_ASCII.test(text)) {
    // Stripped first, so invisibles cannot split a run of marks that NFC then sorts whole.
    text = text.replace(STRIP, '$1').replace(LONG_MARK_RUNS, '$1').normalize('NFC').replace(EXCESS_MARKS, '');
  }
  text = text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
  if (BLANK.test(text)) return { ok: false, code: 'invalid', message: 'the message is empty' };
  if (text.length > maxCodePoints && countCodePoints(text) > maxCodePoints) return tooLong(maxCodePoints);
  return { ok: true, text };
}

/** `too_long` for a raw text that could not be `maxCodePoints` long even after normalisation; O(1), so callers check it before anything costly. */
export function refuseRawLength(raw: string, maxCodePoints: number): Extract<NormalizedText, { ok: false }> | undefined {
  return raw.length > maxCodePoints * RAW_UNITS_PER_CODE_POINT ? tooLong(maxCodePoints) : undefined;
}

function tooLong(maxCodePoints: number): Extract<NormalizedText, { ok: false }> {
  return { ok: false, code: 'too_long', message: `the message is longer than ${maxCodePoints} characters` };
}

/** Code points, not UTF-16 units: an emoji outside the BMP counts once. Expects well-formed text. */
export function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) count--;
  }
  return count;
}
