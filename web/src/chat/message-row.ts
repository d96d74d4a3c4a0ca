import { el, safeColor } from '../shared/dom.ts';
import type { Message, Role, User } from '../shared/wire.ts';

const BADGE_LABELS: Record<Role, string> = { broadcaster: 'Broadcaster', moderator: 'Moderator', vip: 'VIP', subscriber: 'Subscriber' };
const BADGE_MARKS: Record<Role, string> = { broadcaster: 'B', moderator: 'M', vip: 'V', subscriber: 'S' };

/**
 * One chat line as DOM nodes: badges, the name in its colour, then the text
 * with emotes as their own elements. Every piece of user text is a text node.
 */
export function messageRow(message: Pick<Message, 'user' | 'text' | 'emotes' | 'first' | 'returning' | 'reviewed'>): HTMLLIElement {
  const row = el('li', 'message');
  row.dataset.user = message.user.id;
  row.append(...marks(message), ...badges(message.user), nameOf(message.user), el('span', 'separator', ': '), body(message));
  // A first-time or returning chatter's line is highlighted, as Twitch does.
  if (message.first === true) row.classList.add('first-message');
  else if (message.returning === true) row.classList.add('returning-chatter');
  return row;
}

function marks(message: Pick<Message, 'first' | 'returning' | 'reviewed'>): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (message.first === true) out.push(el('span', 'mark mark-first', 'First message'));
  else if (message.returning === true) out.push(el('span', 'mark mark-returning', 'Returning chatter'));
  if (message.reviewed === true) out.push(el('span', 'mark mark-reviewed', 'Reviewed'));
  return out;
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
