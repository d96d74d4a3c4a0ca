import { el, safeColor } from '../shared/dom.ts';
import { readableColor } from '../shared/readable-color.ts';
import { ANNOUNCEMENT_COLORS, type Message, type Role, type User } from '../shared/wire.ts';
import { appendWithLinks } from './links.ts';
import { PLAIN_LOOK, type StreamLook } from './stream-look.ts';
import { timeOf } from './timestamps.ts';

const BADGE_LABELS: Record<Role, string> = { broadcaster: 'Broadcaster', moderator: 'Moderator', vip: 'VIP', subscriber: 'Subscriber' };
const BADGE_MARKS: Record<Role, string> = { broadcaster: 'B', moderator: 'M', vip: 'V', subscriber: 'S' };

/**
 * One chat line as DOM nodes: the time (shown when the reader turns
 * timestamps on), badges, the name in its colour, then the text with emotes
 * as their own elements (images where the stream has one from an allowed
 * origin) and, where the stream allows links, http(s) URLs as links; a reply
 * has the quote of its parent above it, an announcement its colour, a notice
 * the host's sentence first. Every piece of user text is a text node or an
 * attribute, never HTML.
 */
export function messageRow(message: Pick<Message, 'user' | 'text' | 'emotes' | 'ts' | 'reply' | 'announcement' | 'notice' | 'first' | 'returning' | 'reviewed'>, look: StreamLook = PLAIN_LOOK): HTMLLIElement {
  const row = el('li', 'message');
  row.dataset.user = message.user.id;
  // Drawn by the stylesheet when timestamps are on; not a text node, so the line's text stays the line.
  row.dataset.time = timeOf(message.ts);
  if (message.notice !== undefined) {
    row.classList.add('system-notice');
    row.dataset.notice = message.notice.kind;
    row.append(el('span', 'system-text', message.notice.system));
    if (message.text !== '') row.append(el('br'), nameOf(message.user), el('span', 'separator', ': '), body(message, look));
    return row;
  }
  if (message.reply !== undefined) row.append(quoteOf(message.reply));
  row.append(...marks(message), ...badges(message.user, look), nameOf(message.user), el('span', 'separator', ': '), body(message, look));
  // Only the known colours become a class: nothing from the wire names one freely.
  if (message.announcement !== undefined && ANNOUNCEMENT_COLORS.includes(message.announcement)) {
    row.classList.add('announcement', `announcement-${message.announcement}`);
  }
  // A first-time or returning chatter's line is highlighted, as Twitch does.
  if (message.first === true) row.classList.add('first-message');
  else if (message.returning === true) row.classList.add('returning-chatter');
  return row;
}

function marks(message: Pick<Message, 'first' | 'returning' | 'reviewed'>): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (message.first === true) out.push(mark('mark-first', 'First message'));
  else if (message.returning === true) out.push(mark('mark-returning', 'Returning chatter'));
  if (message.reviewed === true) out.push(mark('mark-reviewed', 'Reviewed'));
  return out;
}

/** A label drawn by the stylesheet from an attribute, not a text node, so a row's text stays the line (as the time does). */
function mark(kind: string, label: string): HTMLElement {
  const span = el('span', `mark ${kind}`);
  span.dataset.label = label;
  span.title = label;
  return span;
}

/** The line a reply answers, quoted above it. */
function quoteOf(reply: NonNullable<Message['reply']>): HTMLElement {
  const quote = el('div', 'reply-quote');
  quote.dataset.parent = reply.id;
  quote.append(el('span', 'reply-mark', 'Replying to '), el('span', 'reply-name', `@${reply.user.name}`), el('span', 'separator', ': '), el('span', 'reply-text', reply.text));
  return quote;
}

/** Marks a row as the stored message `id`. */
export function identify(row: HTMLElement, id: string): void {
  row.dataset.id = id;
}

function badges(user: User, look: StreamLook): HTMLElement[] {
  return user.badges.filter((b) => b in BADGE_LABELS).map((badge) => {
    const url = look.badge(badge);
    const node = url === undefined ? el('span', `badge badge-${badge}`, BADGE_MARKS[badge]) : image('badge-image', url, BADGE_LABELS[badge]);
    node.title = BADGE_LABELS[badge];
    return node;
  });
}

function nameOf(user: User): HTMLElement {
  const node = el('span', 'name', user.name);
  const color = safeColor(user.color);
  if (color !== undefined) node.style.color = readableColor(color);
  return node;
}

function body(message: Pick<Message, 'text' | 'emotes'>, look: StreamLook): HTMLElement {
  const node = el('span', 'text');
  const { text } = message;
  const plain = (part: string): void => {
    if (look.links) appendWithLinks(node, part);
    else node.append(part);
  };
  let at = 0;
  for (const emote of [...(message.emotes ?? [])].sort((a, b) => a.start - b.start)) {
    // Ranges that overlap or fall outside the text are ignored, not trusted.
    if (emote.start < at || emote.end > text.length || emote.end <= emote.start) continue;
    if (emote.start > at) plain(text.slice(at, emote.start));
    node.append(emoteNode(emote.name, text.slice(emote.start, emote.end), look));
    at = emote.end;
  }
  if (at < text.length) plain(text.slice(at));
  return node;
}

function emoteNode(name: string, shown: string, look: StreamLook): HTMLElement {
  const picture = look.emote(name);
  const node = picture === undefined ? el('span', 'emote', shown) : image(picture.animated ? 'emote-image animated' : 'emote-image', picture.url, shown);
  node.title = name;
  return node;
}

/** An image whose alt text is what was typed, so copying the line or a failed load still reads right. */
function image(className: string, url: string, alt: string): HTMLImageElement {
  const node = el('img', className);
  node.alt = alt;
  node.src = url;
  node.referrerPolicy = 'no-referrer';
  return node;
}
