import { el } from '../shared/dom.ts';
import type { ModlogEntry } from '../shared/wire.ts';
import { timeOf } from './timestamps.ts';

/**
 * One audit log entry as a list item: when, who, what, on whom, and the
 * moderator's reason. Shared by the moderator log and the user card. Every
 * piece comes from the wire and goes in as text, never HTML.
 */
export function modlogRow(entry: ModlogEntry): HTMLLIElement {
  const row = el('li', 'modlog-entry');
  row.dataset.cursor = String(entry.cursor);
  row.dataset.action = entry.action;
  row.append(el('time', 'modlog-time', timeOf(entry.ts)), ' ', el('span', 'modlog-actor', entry.actor.name), ' ', el('span', 'modlog-action', entry.action));
  if (entry.user !== undefined) row.append(' ', el('span', 'modlog-user', entry.user.name ?? entry.user.id));
  if (entry.detail !== undefined) row.append(' ', el('span', 'modlog-detail', `(${entry.detail})`));
  if (entry.reason !== undefined) row.append(' ', el('q', 'modlog-reason', entry.reason));
  row.title = new Date(entry.ts).toISOString();
  return row;
}
