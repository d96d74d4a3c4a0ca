import { el } from '../shared/dom.ts';
import type { Message } from '../shared/wire.ts';

/**
 * Replying from a line: each line has a Reply button (for a signed-in
 * viewer), which puts "Replying to @name: text" above the send box until the
 * line is sent or the reply is cancelled. One click listener on the list
 * serves every row; the rows' own data attributes say which line it is.
 */
export class ReplyBox {
  readonly #bar: HTMLElement;
  readonly #quote: HTMLElement;
  readonly #input: HTMLInputElement;
  #parent: string | undefined;
  #enabled = false;

  constructor(list: HTMLElement, bar: HTMLElement, input: HTMLInputElement) {
    this.#bar = bar;
    this.#input = input;
    this.#quote = el('span', 'reply-target');
    const cancel = el('button', 'reply-cancel', '×');
    cancel.type = 'button';
    cancel.setAttribute('aria-label', 'Cancel reply');
    cancel.addEventListener('click', () => this.clear());
    bar.replaceChildren(this.#quote, cancel);
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.reply');
      const row = button?.closest<HTMLLIElement>('li[data-id]');
      if (row) this.#replyTo(row);
    });
  }

  /** Replies need a signed-in viewer: anonymous readers get no button. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (!enabled) this.clear();
  }

  /** The Reply button, on every line but a notice. */
  decorate = (row: HTMLLIElement, message: Message): void => {
    if (!this.#enabled || message.notice !== undefined) return;
    // Its label is drawn by the style sheet: the row's text stays the line's own (copying it, finding it).
    const button = el('button', 'reply');
    button.type = 'button';
    button.setAttribute('aria-label', `Reply to ${message.user.name}`);
    row.append(button);
  };

  /** The parent of the line about to be sent, if any; sending clears it. */
  take(): { parent?: string } {
    const parent = this.#parent;
    this.clear();
    return parent === undefined ? {} : { parent };
  }

  /** A parent that went away (deleted, banned) cannot be answered. */
  forget(ids: readonly string[]): void {
    if (this.#parent !== undefined && ids.includes(this.#parent)) this.clear();
  }

  clear(): void {
    this.#parent = undefined;
    this.#bar.hidden = true;
  }

  #replyTo(row: HTMLLIElement): void {
    this.#parent = row.dataset.id;
    const name = row.querySelector('.name')?.textContent ?? '';
    const text = row.querySelector('.text')?.textContent ?? '';
    this.#quote.textContent = `Replying to @${name}: ${text}`;
    this.#bar.hidden = false;
    this.#input.focus();
  }
}
