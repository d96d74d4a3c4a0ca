import { el } from '../shared/dom.ts';

// http(s) URLs in chat text. Whatever else looks like a link (javascript:,
// data:, ftp:, a bare domain) stays text. Punctuation that usually ends a
// sentence is not part of the link.
const URL_CANDIDATE = /\bhttps?:\/\/\S+/gi;
const TRAILING = /[.,!?;:'"]+$/;

/**
 * Appends `text` to `node` as text nodes, with each http(s) URL as a link
 * that opens in a new tab without telling the target where it came from.
 * Built from DOM nodes: the text is never parsed as HTML.
 */
export function appendWithLinks(node: HTMLElement, text: string): void {
  let at = 0;
  for (const match of text.matchAll(URL_CANDIDATE)) {
    let candidate = match[0].replace(TRAILING, '');
    // A closing parenthesis belongs to the link only if the link opened one: "(see https://a.test)".
    if (candidate.endsWith(')') && !candidate.includes('(')) candidate = candidate.slice(0, -1);
    const href = safeHref(candidate);
    if (href === undefined) continue;
    if (match.index > at) node.append(text.slice(at, match.index));
    const link = el('a', 'link', candidate);
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    node.append(link);
    at = match.index + candidate.length;
  }
  if (at < text.length) node.append(text.slice(at));
}

function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
