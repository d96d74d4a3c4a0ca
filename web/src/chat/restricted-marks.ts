import { el } from '../shared/dom.ts';
import type { Message } from '../shared/wire.ts';

/** Restricted lines remembered at most: the list shows 150 rows. */
const MAX_IDS = 500;

/**
 * Marks a restricted user's lines on a moderator's page (a `restricted`
 * frame's line; the author's own page never marks them). The ids are noted
 * when the frame arrives and read when the row is drawn.
 */
export class RestrictedMarks {
  readonly #ids = new Set<string>();

  note(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > MAX_IDS) this.#ids.delete(this.#ids.values().next().value!);
  }

  decorate = (row: HTMLLIElement, message: Message): void => {
    if (!this.#ids.has(message.id)) return;
    row.classList.add('restricted-line');
    const mark = el('span', 'mark mark-restricted');
    mark.dataset.label = 'Restricted';
    mark.title = 'Restricted: only moderators and its author see this line';
    row.prepend(mark);
  };
}
