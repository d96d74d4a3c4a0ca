import { el } from '../shared/dom.ts';
import type { Answer, Message, Role } from '../shared/wire.ts';

const TIMEOUT_SECONDS = 600;
/** A ban's second click must come within this long of the first. */
const CONFIRM_MS = 4_000;

const ACTIONS = [
  { action: 'delete', mark: 'Del', label: 'Delete message' },
  { action: 'timeout', mark: '10m', label: 'Time out for 10 minutes' },
  { action: 'ban', mark: 'Ban', label: 'Ban user' },
  { action: 'restrict', mark: 'Restrict', label: 'Restrict user: their lines reach only themselves and moderators' },
  { action: 'pin', mark: 'Pin', label: 'Pin this line' },
] as const;

/** The hierarchy of docs/protocol.md: the broadcaster above moderators above everyone else. */
function standing(roles: readonly Role[]): number {
  if (roles.includes('broadcaster')) return 2;
  return roles.includes('moderator') ? 1 : 0;
}

/**
 * A moderator's buttons on each line (delete, ten-minute timeout, ban,
 * restrict, pin). Those aimed at the line's author are offered only on lines
 * of users below the moderator: never on the broadcaster's, nor on another
 * moderator's unless the broadcaster looks (pinning any line is fine). A ban asks for a second click to confirm. One click listener on
 * the list serves every row; the server checks the role again on every
 * action, so these buttons are a convenience, not the guard.
 */
export class ModActions {
  readonly #request: (frame: Record<string, unknown>) => Promise<Answer>;
  readonly #report: (text: string) => void;
  #enabled = false;
  #selfId: string | null = null;
  #myStanding = 0;

  constructor(list: HTMLElement, request: (frame: Record<string, unknown>) => Promise<Answer>, report: (text: string) => void) {
    this.#request = request;
    this.#report = report;
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
      const row = button?.closest<HTMLLIElement>('li[data-id]');
      if (button && row) void this.#clicked(button, row);
    });
  }

  setModerator(enabled: boolean, selfId: string | null, roles: readonly Role[] = []): void {
    this.#enabled = enabled;
    this.#selfId = selfId;
    this.#myStanding = standing(roles);
  }

  /** Adds the buttons to a row of someone else's line; on a line of someone not below this moderator, only Pin. */
  decorate = (row: HTMLLIElement, message: Message): void => {
    if (!this.#enabled || message.user.id === this.#selfId) return;
    const below = standing(message.user.badges) < this.#myStanding;
    const tools = el('span', 'mod-actions');
    for (const { action, mark, label } of ACTIONS) {
      if (!below && action !== 'pin') continue;
      const button = el('button', `mod-${action}`, mark);
      button.type = 'button';
      button.dataset.action = action;
      button.setAttribute('aria-label', label);
      button.title = label;
      tools.append(button);
    }
    row.prepend(tools);
  };

  async #clicked(button: HTMLButtonElement, row: HTMLLIElement): Promise<void> {
    const action = button.dataset.action!;
    if (action === 'ban' && button.dataset.confirm === undefined) {
      // The first click only arms the button; it disarms itself if not confirmed in time.
      button.dataset.confirm = 'armed';
      button.textContent = 'Confirm ban?';
      button.setAttribute('aria-label', 'Confirm: ban user');
      setTimeout(() => {
        delete button.dataset.confirm;
        button.textContent = 'Ban';
        button.setAttribute('aria-label', 'Ban user');
      }, CONFIRM_MS);
      return;
    }
    await this.#act(action, row);
  }

  async #act(action: string, row: HTMLLIElement): Promise<void> {
    const frame = action === 'delete' || action === 'pin'
      ? { type: 'mod', action, id: row.dataset.id }
      : { type: 'mod', action, user: row.dataset.user, ...(action === 'timeout' ? { seconds: TIMEOUT_SECONDS } : {}) };
    const answer = await this.#request(frame);
    if (answer.type === 'error') this.#report(`Could not ${action}: ${answer.message}`);
  }
}
