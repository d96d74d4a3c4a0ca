import { byId, el } from '../shared/dom.ts';
import type { Answer, Message, ModlogEntry } from '../shared/wire.ts';
import { messageRow } from './message-row.ts';
import { modlogRow } from './modlog-row.ts';
import { apiGet, type ApiDeps } from './moderator-api.ts';

export interface UserCardDeps extends ApiDeps {
  request: (frame: Record<string, unknown>) => Promise<Answer>;
}

interface Card {
  user: { id: string; name?: string };
  firstSeen: number | null;
  lines: Message[];
  actions: ModlogEntry[];
}

const TIMEOUT_SECONDS = 600;
const ACTIONS = [
  { id: 'card-timeout', frame: (user: string) => ({ action: 'timeout', user, seconds: TIMEOUT_SECONDS }) },
  { id: 'card-ban', frame: (user: string) => ({ action: 'ban', user }) },
  { id: 'card-unban', frame: (user: string) => ({ action: 'unban', user }) },
] as const;

/**
 * The user card: a moderator clicks a name in the chat and sees that user's
 * recent lines in this stream, when the stream first saw them, the moderator
 * actions on them (the audit log, followed live while the card is open) and
 * the actions. Actions are not offered on the broadcaster or on oneself (the
 * server refuses them anyway: these buttons are a convenience, not the guard).
 */
export class UserCard {
  readonly #d: UserCardDeps;
  readonly #dialog = byId<HTMLDialogElement>('user-card');
  readonly #name = byId('card-name');
  readonly #firstSeen = byId('card-first-seen');
  readonly #lines = byId<HTMLOListElement>('card-lines');
  readonly #actions = byId<HTMLOListElement>('card-actions');
  readonly #tools = byId('card-tools');
  readonly #status = byId('card-status');
  #enabled = false;
  #selfId: string | null = null;
  #user: string | null = null;

  constructor(list: HTMLElement, deps: UserCardDeps) {
    this.#d = deps;
    list.addEventListener('click', (event) => {
      const name = (event.target as HTMLElement).closest<HTMLElement>('.name');
      const row = name?.closest<HTMLLIElement>('li[data-user]');
      if (this.#enabled && name && row) void this.open(row.dataset.user!, name.textContent ?? '', row.querySelector('[title="Broadcaster"]') !== null);
    });
    byId('card-close').addEventListener('click', () => this.#dialog.close());
    this.#dialog.addEventListener('close', () => {
      this.#user = null;
    });
    for (const { id, frame } of ACTIONS) byId(id).addEventListener('click', () => void this.#act(frame(this.#user ?? '')));
  }

  setModerator(enabled: boolean, selfId: string | null): void {
    this.#enabled = enabled;
    this.#selfId = selfId;
    if (!enabled && this.#dialog.open) this.#dialog.close();
  }

  async open(userId: string, name: string, broadcaster: boolean): Promise<void> {
    this.#user = userId;
    this.#name.textContent = name;
    this.#firstSeen.textContent = '';
    this.#status.textContent = '';
    this.#lines.replaceChildren();
    this.#actions.replaceChildren();
    this.#tools.hidden = broadcaster || userId === this.#selfId;
    if (!this.#dialog.open) this.#dialog.show();
    const card = await apiGet<Card>(this.#d, `users/${encodeURIComponent(userId)}/card`);
    if (card === undefined || this.#user !== userId) return;
    this.#firstSeen.textContent = card.firstSeen === null ? 'First seen: not remembered' : `First seen: ${new Date(card.firstSeen).toLocaleString()}`;
    this.#lines.replaceChildren(...(card.lines.length === 0 ? [el('li', 'card-empty', 'No recent lines.')] : card.lines.map((m) => messageRow(m))));
    this.#actions.replaceChildren(...card.actions.map(modlogRow));
    if (card.lines.some((m) => m.user.badges.includes('broadcaster'))) this.#tools.hidden = true;
  }

  /** A live audit log entry: shown on the open card when it is about its user. */
  take(entry: ModlogEntry): void {
    if (entry.stream !== this.#d.stream || this.#user === null || entry.user?.id !== this.#user) return;
    if (this.#actions.querySelector(`[data-cursor="${entry.cursor}"]`) === null) this.#actions.prepend(modlogRow(entry));
  }

  async #act(action: Record<string, unknown>): Promise<void> {
    if (this.#user === null) return;
    if (action.action === 'ban' && !confirm(`Ban ${this.#name.textContent ?? 'this user'} from this stream?`)) return;
    const answer = await this.#d.request({ type: 'mod', ...action });
    this.#status.textContent = answer.type === 'ack' ? `Done: ${String(action.action)}.` : `Could not ${String(action.action)}: ${answer.message}`;
  }
}
