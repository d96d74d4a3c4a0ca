// Links, phone numbers and e-mail addresses: the rules that keep spam and
// doxxing out of chat. Linear time on any input: each pattern is anchored by
// a look-behind so it can only start where a word starts, and a repeated group
// (host labels) is split by a delimiter its parts cannot contain, so there is
// only one way to match it. Callers pass NFKC-normalised text (fullwidth
// "ｅｘａｍｐｌｅ．ｃｏｍ" and "５５５" then read as ASCII).

// Top-level domains that make "word.tld" a link. A closed list, because with
// every two-letter country code, chat typed without spaces after full stops
// ("ok.so", "do.it", "hi.no") would read as links. Link shorteners, chat
// invites and free spam domains are in; extend with care.
const TLDS = [
  'com', 'net', 'org', 'info', 'biz', 'xyz', 'io', 'co', 'me', 'tv', 'gg', 'ly', 'be', 'gl', 'cc', 'ws', 'to', 'fm', 'sh',
  'ai', 'app', 'dev', 'link', 'live', 'stream', 'site', 'online', 'club', 'top', 'shop', 'store', 'vip', 'icu', 'cam',
  'win', 'bid', 'click', 'pw', 'tk', 'ml', 'ga', 'cf', 'gq', 'su', 'ru', 'uk', 'de', 'fr', 'nl', 'pl', 'es', 'br', 'eu',
  'us', 'ca', 'au', 'jp', 'cn', 'kr', 'tw', 'onion', 'xxx', 'sex', 'porn', 'gay', 'bet', 'casino', 'money', 'gift',
];

// A host label may be in any script (IDN); a dot may be written as the
// ideographic full stop, or bracketed: "[.]", "(dot)". Spaced-out dots are not
// links: "example . com" reads like prose, and "I love .NET" is not a link.
const LABEL = String.raw`[\p{L}\p{N}][\p{L}\p{N}\-]*`;
const DOT = String.raw`(?:[.\u3002\uFF61]| ?[\[({] ?(?:\.|dot) ?[\])}] ?)`;
// A host starts neither inside a word or host nor right after a label and a
// dot of any form: a label there belongs to the host begun before it, and
// trying it again as a start would make a line of bracketed dots quadratic.
const NOT_IN_HOST_BEFORE = String.raw`(?<![\p{L}\p{N}@._\-])(?<![\p{L}\p{N}\-]${DOT})`;
const NOT_IN_HOST_AFTER = String.raw`(?![\p{L}\p{N}_\-])`;

const LINK = new RegExp(
  [
    String.raw`\b(?:https?|ftp):\/\/`,
    String.raw`\bwww\d{0,3}${DOT}${LABEL}`,
    `${NOT_IN_HOST_BEFORE}${LABEL}(?:${DOT}${LABEL})*${DOT}(?:${TLDS.join('|')})${NOT_IN_HOST_AFTER}`,
  ].join('|'),
  'iu',
);

// local@host.tld, also "local (at) host [dot] tld". The local part must start a word.
const EMAIL = new RegExp(
  String.raw`(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]+ ?(?:@| ?[\[({] ?at ?[\])}] ?) ?` +
    `${LABEL}(?:${DOT}${LABEL})*${DOT}\\p{L}{2,}${NOT_IN_HOST_AFTER}`,
  'iu',
);

// A run of digit groups and the separators phone numbers are written with.
// The run is only a candidate; hasPhone decides.
const DIGIT_RUN = /(?<![\p{L}\p{N}])\+?[\d(][\d .()\/\-]*/gu;
const DIGIT_GROUP = /\d+/g;
// Dates are digit groups too ("2024-01-15", "12/25/2024"); they are blanked
// out first so that a date beside a number does not add up to a phone number.
const DATE = /(?<!\d)(?:\d{4}[\-\/.]\d{1,2}[\-\/.]\d{1,2}|\d{1,2}[\-\/.]\d{1,2}[\-\/.](?:\d{4}|\d{2}))(?!\d)/g;
// US/Canadian local form: 555-1234.
const LOCAL_NUMBER = /(?<![\p{L}\p{N}.\/\-])\d{3}[\-.]\d{4}(?![\p{L}\p{N}]|[\-.\/]\d)/u;
const MIN_DIGITS = 10; // a national number with its area code
const MIN_DIGITS_INTERNATIONAL = 8; // after "+", the country code makes it unambiguous sooner
const MAX_GROUP = 15; // E.164's longest number; a longer run of digits is something else
const MAX_GAP = 3; // "555 - 123" still joins; a longer gap separates numbers

// Cheap tests that most lines fail, run before the full patterns.
const MAY_HAVE_LINK = /[.\u3002\uFF61]|dot|:\/\//i;
const MAY_HAVE_EMAIL = /@|at ?[\])}]/i;

/**
 * Runs each pattern twice. V8 interprets a regular expression on first use
 * and compiles it to machine code on the next; for these large Unicode
 * patterns that is a few milliseconds, better spent at start-up than on the
 * first chat messages.
 */
export function compileContactPatterns(): void {
  for (let i = 0; i < 2; i++) {
    hasLink('example.com');
    hasEmail('me@example.com');
    hasPhone('+1 555 123 4567 2024-01-15');
  }
}

export function hasLink(text: string): boolean {
  return MAY_HAVE_LINK.test(text) && LINK.test(text);
}

export function hasEmail(text: string): boolean {
  return MAY_HAVE_EMAIL.test(text) && EMAIL.test(text);
}

/**
 * A phone number: digit groups ("+44 20 7946 0958", "(555) 123-4567",
 * "5551234567", "555-1234") adding up to a national or international number.
 * A one-digit group starts a new count, so a list like "1 2 3 4 5 6 7 8 9 10"
 * is not a number; neither is a date, or a date and a time.
 */
export function hasPhone(text: string): boolean {
  if (LOCAL_NUMBER.test(text)) return true;
  const undated = text.replace(DATE, ' ');
  for (const run of undated.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(DIGIT_GROUP)];
    // A run that stops at "hh:" ends in a time: its last group is an hour.
    if (undated[run.index + run[0].length] === ':') groups.pop();
    let digits = 0;
    let international = false;
    let previousEnd = 0;
    for (const group of groups) {
      const length = group[0].length;
      if (length > MAX_GROUP) {
        digits = 0;
      } else {
        if (digits === 0 || length === 1 || group.index - previousEnd > MAX_GAP) {
          digits = 0;
          international = run[0][group.index - 1] === '+';
        }
        digits += length;
        if (digits >= (international ? MIN_DIGITS_INTERNATIONAL : MIN_DIGITS)) return true;
      }
      previousEnd = group.index + length;
    }
  }
  return false;
}
