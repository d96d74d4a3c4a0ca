import { byId } from '../shared/dom.ts';
import type { ModlogEntry } from '../shared/wire.ts';
import { modlogRow } from './modlog-row.ts';
import { apiGet, type ApiDeps } from './moderator-api.ts';

// Entries the panel shows at most: older ones are dropped as new ones arrive live.
const MAX_ROWS = 200;
const PAGE = 50;

interface Page {
  entries: ModlogEntry[];
  next: number | null;
}

/**
 * The moderator log: the stream's audit log, newest first, filled over HTTP
 * when the panel opens and followed live from `modlog` frames (which reach
 * only moderators); "Older" pages back by cursor.
 */
export class ModlogPanel {
  readonly #d: ApiDeps;
  readonly #list = byId<HTMLOListElement>('modlog');
  readonly #more = byId<HTMLButtonElement>('modlog-more');
  #next: number | null = null;

  constructor(deps: ApiDeps) {
    this.#d = deps;
    this.#more.addEventListener('click', () => void this.#older());
  }

  async load(): Promise<void> {
    const page = await apiGet<Page>(this.#d, `modlog?limit=${PAGE}`);
    if (page === undefined) return;
    this.#list.replaceChildren(...page.entries.map(modlogRow));
    this.#setNext(page.next);
  }

  /** A live entry: on top, once. */
  take(entry: ModlogEntry): void {
    if (entry.stream !== this.#d.stream || this.#has(entry.cursor)) return;
    this.#list.prepend(modlogRow(entry));
    while (this.#list.children.length > MAX_ROWS) this.#list.lastElementChild!.remove();
  }

  async #older(): Promise<void> {
    if (this.#next === null) return;
    const page = await apiGet<Page>(this.#d, `modlog?limit=${PAGE}&before=${this.#next}`);
    if (page === undefined) return;
    for (const entry of page.entries) if (!this.#has(entry.cursor)) this.#list.append(modlogRow(entry));
    this.#setNext(page.next);
  }

  #setNext(next: number | null): void {
    this.#next = next;
    this.#more.hidden = next === null;
  }

  #has(cursor: number): boolean {
    return this.#list.querySelector(`[data-cursor="${cursor}"]`) !== null;
  }
}
