import type { Nonce } from './client-frames.ts';
import { clientJsonAjv } from './refusal-sentence.ts';
import { Nonce as NonceSchema } from './schemas.ts';

// A refusal carries its frame's nonce even when the frame is refused before
// it is parsed (the frame limit), or cannot be parsed (invalid JSON, a binary
// frame): the client waits for the answer by that nonce. `scanNonce` finds
// the top-level `nonce` of a frame's text in one pass, without building the
// frame, and reads on past what JSON.parse would reject.

// Compiled once, like a regular expression: the schema's rule, shared with the frame parser.
const isNonce = clientJsonAjv().compile<Nonce>(NonceSchema);

/** The nonce if `raw` is one the protocol accepts (the Nonce schema): a string of at most 64 characters, or a number. */
export function validNonce(raw: unknown): Nonce | undefined {
  return isNonce(raw) ? raw : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The value of the top-level `"nonce"` key of a JSON object's text (the last
 * one, as JSON.parse keeps), if valid; undefined if there is none or the text
 * is not an object. Strings are skipped whole, so a `"nonce"` inside a
 * message's text or a nested object is never taken. Linear in the text,
 * which the frame limit bounds (maxFrameBytes).
 */
export function scanNonce(text: string): Nonce | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined; // {
  let depth = 0;
  let found: Nonce | undefined;
  // At depth 1: the string just read where a key may stand, the key whose value comes next.
  let keyCandidate: string | undefined;
  let valueOfNonce = false;
  let expectKey = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) return found;
      const token = text.slice(i, end);
      if (depth === 1) {
        if (valueOfNonce) found = validNonce(parseJson(token));
        else if (expectKey) keyCandidate = token;
      }
      valueOfNonce = false;
      expectKey = false;
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) { // { [
      if (depth === 1 && valueOfNonce) found = undefined;
      depth++;
      valueOfNonce = false;
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
      if (depth <= 0) return found;
    } else if (c === 0x3a) { // :
      if (depth === 1 && keyCandidate !== undefined) valueOfNonce = isNonceKey(keyCandidate);
      keyCandidate = undefined;
    } else if (c === 0x2c) { // ,
      expectKey = depth === 1;
      keyCandidate = undefined;
    } else if (!isSpace(c)) {
      const end = scalarEnd(text, i);
      if (depth === 1 && valueOfNonce) {
        const token = text.slice(i, end);
        found = NUMBER.test(token) ? validNonce(Number(token)) : undefined;
      }
      valueOfNonce = false;
      i = end;
      continue;
    }
    i++;
  }
  return found;
}

/** The index just past the closing quote of the string starting at `start`, or -1 if it never closes. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The end of a number or literal: the next space, quote or punctuation. */
function scalarEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === QUOTE || c === 0x2c || c === 0x3a || c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d) break;
    i++;
  }
  return i;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** `"nonce"`, also spelt with escapes (JSON.parse reads `"n\u006fnce"` as the same key). */
function isNonceKey(token: string): boolean {
  return token === '"nonce"' || (token.includes('\\') && parseJson(token) === 'nonce');
}

function parseJson(token: string): unknown {
  try {
    return JSON.parse(token);
  } catch {
    return undefined;
  }
}
