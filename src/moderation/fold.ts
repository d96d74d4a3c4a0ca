// Folding: messages and terms are both reduced to the same plain alphabet
// (lower-case Latin letters, other scripts' letters and digits, I_OR_L) and
// split into words, so that "Ｂ.А.Ｄ", "b 4 d" and "bàd" all read as "bad".
// Repeated letters ("baaad") are handled by the matcher, not here, so that
// "boob" stays distinct from "bob".
import { ASCII_FOLDS, EDGE_PUNCTUATION, I_OR_L, NON_ASCII_FOLDS } from './lookalikes.ts';

/** Separates two words in FoldedText.units. */
export const WORD_BREAK = 0x20;
export const I_OR_L_UNIT = I_OR_L.charCodeAt(0);
/** Bits of FoldedText.bounds: a term may begin at this index / may end just before it. */
export const START = 1;
export const END = 2;

export interface FoldedText {
  /** Folded code points, words separated by WORD_BREAK. */
  readonly units: readonly number[];
  /** START / END bits for each index 0..units.length. */
  readonly bounds: readonly number[];
}

const ASCII_ONLY = /^[\x00-\x7F]*$/;
// NFKD turns fullwidth, mathematical, circled and ligature forms into plain
// letters and splits accents off; the marks are then dropped, along with any
// invisible character the text normaliser did not already remove.
const MARKS_AND_INVISIBLES = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
// Scripts written without spaces between words: each character is a word of
// its own, so a term in them can match anywhere in a line (see soft runs below).
const UNSPACED_SCRIPT = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]$/u;

/**
 * Folds a chat message for term matching. Single-character words in a row
 * ("b a d", "b.a.d", "a b i t c h") are joined into one "soft" run in which a
 * term may start and end at any character, so spelling a word out letter by
 * letter does not evade it; longer words must match whole.
 */
export function foldMessage(text: string): FoldedText {
  const out = new FoldedBuilder();
  const source = ASCII_ONLY.test(text) ? text : text.normalize('NFKD').replace(MARKS_AND_INVISIBLES, '');
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code < 128) {
      const folded = ASCII_FOLDS[code];
      if (folded < 0) out.endWord();
      else out.addToWord(folded, EDGE_PUNCTUATION.has(code));
      continue;
    }
    const point = source.codePointAt(i)!;
    if (point > 0xffff) i++;
    const ch = String.fromCodePoint(point);
    if (UNSPACED_SCRIPT.test(ch)) {
      out.endWord();
      out.addSingle(point);
      continue;
    }
    const folded = NON_ASCII_FOLDS.get(ch) ?? (LETTER_OR_DIGIT.test(ch) ? ch.toLowerCase() : '');
    if (folded === '') out.endWord();
    for (const f of folded) out.addToWord(f.codePointAt(0)!, false);
  }
  return out.finish();
}

/**
 * Folds a term the way messages are folded, so it matches what it looks like.
 * A trailing `*` makes it a prefix ("spoil*" matches "spoiler"). I_OR_L is
 * read as "i" in a term (a moderator writing "sh1t" means "shit"). Null for a
 * term with nothing left after folding.
 */
export function foldTerm(term: string): { units: number[]; prefix: boolean } | null {
  const trimmed = term.trim();
  const prefix = trimmed.endsWith('*');
  const units = foldMessage(prefix ? trimmed.replace(/\*+$/, '') : trimmed).units.map((u) => (u === I_OR_L_UNIT ? 0x69 : u));
  return units.length === 0 ? null : { units, prefix };
}

/** Collects characters into words, and words into units and bounds. */
class FoldedBuilder {
  readonly #units: number[] = [];
  readonly #bounds: number[] = [0];
  #word: number[] = [];
  #edge: boolean[] = [];
  #singles: number[] = [];

  addToWord(unit: number, edgePunctuation: boolean): void {
    this.#word.push(unit);
    this.#edge.push(edgePunctuation);
  }

  /** Ends the word being collected, without edge punctuation; a one-character word joins the soft run. */
  endWord(): void {
    const word = this.#word;
    if (word.length === 0) return;
    let first = 0;
    let last = word.length;
    while (first < last && this.#edge[first]) first++;
    while (last > first && this.#edge[last - 1]) last--;
    if (last - first === 1) this.#singles.push(word[first]);
    else if (last > first) this.#addWord(word.slice(first, last));
    this.#word = [];
    this.#edge = [];
  }

  addSingle(unit: number): void {
    this.#singles.push(unit);
  }

  finish(): FoldedText {
    this.endWord();
    this.#flushSingles();
    return { units: this.#units, bounds: this.#bounds };
  }

  #addWord(units: number[]): void {
    this.#flushSingles();
    const start = this.#append(units);
    this.#bounds[start] |= START;
    this.#bounds[start + units.length] |= END;
  }

  #flushSingles(): void {
    if (this.#singles.length === 0) return;
    const start = this.#append(this.#singles);
    for (let i = 0; i < this.#singles.length; i++) {
      this.#bounds[start + i] |= START;
      this.#bounds[start + i + 1] |= END;
    }
    this.#singles = [];
  }

  /** Appends one word (after a WORD_BREAK unless it is the first); returns its start index. */
  #append(units: readonly number[]): number {
    if (this.#units.length > 0) this.#push(WORD_BREAK);
    const start = this.#units.length;
    for (const u of units) this.#push(u);
    return start;
  }

  #push(unit: number): void {
    this.#units.push(unit);
    this.#bounds.push(0);
  }
}
