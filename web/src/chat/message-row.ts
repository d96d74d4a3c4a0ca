import { el, safeColor } from '../shared/dom.ts';
import { ANNOUNCEMENT_COLORS, type Message, type Role, type User } from '../shared/wire.ts';

const BADGE_LABELS: Record<Role, string> = { broadcaster: 'Broadcaster', moderator: 'Moderator', vip: 'VIP', subscriber: 'Subscriber' };
const BADGE_MARKS: Record<Role, string> = { broadcaster: 'B', moderator: 'M', vip: 'V', subscriber: 'S' };

/**
 * One chat line as DOM nodes: badges, the name in its colour, then the text
 * with emotes as their own elements; a reply has the quote of its parent
 * above it, an announcement its colour, a notice the host's sentence first.
 * Every piece of user text is a text node.
 */
export function messageRow(message: Pick<Message, 'user' | 'text' | 'emotes' | 'reply' | 'announcement' | 'notice'>): HTMLLIElement {
  const row = el('li', 'message');
  row.dataset.user = message.user.id;
  if (message.notice !== undefined) {
    row.classList.add('system-notice');
    row.dataset.notice = message.notice.kind;
    row.append(el('span', 'system-text', message.notice.system));
    if (message.text !== '') row.append(el('br'), nameOf(message.user), el('span', 'separator', ': '), body(message));
    return row;
  }
  if (message.reply !== undefined) row.append(quoteOf(message.reply));
  row.append(...badges(message.user), nameOf(message.user), el('span', 'separator', ': '), body(message));
  // Only the known colours become a class: nothing from the wire names one freely.
  if (message.announcement !== undefined && ANNOUNCEMENT_COLORS.includes(message.announcement)) {
    row.classList.add('announcement', `announcement-${message.announcement}`);
  }
  return row;
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

function badges(user: User): HTMLElement[] {
  return user.badges.filter((b) => b in BADGE_LABELS).map((badge) => {
    const node = el('span', `badge badge-${badge}`, BADGE_MARKS[badge]);
    node.title = BADGE_LABELS[badge];
    return node;
  });
}

function nameOf(user: User): HTMLElement {
  const node = el('span', 'name', user.name);
  const color = safeColor(user.color);
  if (color !== undefined) node.style.color = color;
  return node;
}

function body(message: Pick<Message, 'text' | 'emotes'>): HTMLElement {
  const node = el('span', 'text');
  const { text } = message;
  let at = 0;
  for (const emote of [...(message.emotes ?? [])].sort((a, b) => a.start - b.start)) {
    // Ranges that overlap or fall outside the text are ignored, not trusted.
    if (emote.start < at || emote.end > text.length || emote.end <= emote.start) continue;
    if (emote.start > at) node.append(text.slice(at, emote.start));
    const image = el('span', 'emote', text.slice(emote.start, emote.end));
    image.title = emote.name;
    node.append(image);
    at = emote.end;
  }
  if (at < text.length) node.append(text.slice(at));
  return node;
}
