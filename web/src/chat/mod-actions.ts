import { el } from '../shared/dom.ts';
import type { Answer, Message } from '../shared/wire.ts';

const TIMEOUT_SECONDS = 600;

const ACTIONS = [
  { action: 'delete', mark: 'Del', label: 'Delete message' },
  { action: 'timeout', mark: '10m', label: 'Time out for 10 minutes' },
  { action: 'ban', mark: 'Ban', label: 'Ban user' },
  { action: 'pin', mark: 'Pin', label: 'Pin this line' },
] as const;

/**
 * A moderator's buttons on each line (delete, ten-minute timeout, ban). One
 * click listener on the list serves every row; the server checks the role
 * again on every action, so these buttons are a convenience, not the guard.
 */
export class ModActions {
  readonly #request: (frame: Record<string, unknown>) => Promise<Answer>;
  readonly #report: (text: string) => void;
  #enabled = false;
  #selfId: string | null = null;

  constructor(list: HTMLElement, request: (frame: Record<string, unknown>) => Promise<Answer>, report: (text: string) => void) {
    this.#request = request;
    this.#report = report;
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
      const row = button?.closest<HTMLLIElement>('li[data-id]');
      if (button && row) void this.#act(button.dataset.action!, row);
    });
  }

  setModerator(enabled: boolean, selfId: string | null): void {
    this.#enabled = enabled;
    this.#selfId = selfId;
  }

  /** Adds the buttons to a row of someone else's line, for a moderator. */
  decorate = (row: HTMLLIElement, message: Message): void => {
    if (!this.#enabled || message.user.id === this.#selfId) return;
    const tools = el('span', 'mod-actions');
    for (const { action, mark, label } of ACTIONS) {
      const button = el('button', `mod-${action}`, mark);
      button.type = 'button';
      button.dataset.action = action;
      button.setAttribute('aria-label', label);
      button.title = label;
      tools.append(button);
    }
    row.prepend(tools);
  };

  async #act(action: string, row: HTMLLIElement): Promise<void> {
    const frame = action === 'delete' || action === 'pin'
      ? { type: 'mod', action, id: row.dataset.id }
      : { type: 'mod', action, user: row.dataset.user, ...(action === 'timeout' ? { seconds: TIMEOUT_SECONDS } : {}) };
    const answer = await this.#request(frame);
    if (answer.type === 'error') this.#report(`Could not ${action}: ${answer.message}`);
  }
}
