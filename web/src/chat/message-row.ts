import { el, safeColor } from '../shared/dom.ts';
import type { Message, Role, User } from '../shared/wire.ts';

const BADGE_LABELS: Record<Role, string> = { broadcaster: 'Broadcaster', moderator: 'Moderator', vip: 'VIP', subscriber: 'Subscriber' };
const BADGE_MARKS: Record<Role, string> = { broadcaster: 'B', moderator: 'M', vip: 'V', subscriber: 'S' };

/**
 * One chat line as DOM nodes: badges, the name in its colour, then the text
 * with emotes as their own elements. Every piece of user text is a text node.
 */
export function messageRow(message: Pick<Message, 'user' | 'text' | 'emotes'>): HTMLLIElement {
  const row = el('li', 'message');
  row.dataset.user = message.user.id;
  row.append(...badges(message.user), nameOf(message.user), el('span', 'separator', ': '), body(message));
  return row;
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
