import { el } from '../shared/dom.ts';
import type { Message, UserRef } from '../shared/wire.ts';
import { identify, messageRow } from './message-row.ts';
import type { StreamLook } from './stream-look.ts';

export interface MessageListOptions {
  /** Rows kept in the page; older ones are removed as new ones arrive. */
  maxRows: number;
  /** Adds per-line extras (moderator buttons) to a freshly built row. */
  decorate: (row: HTMLLIElement, message: Message) => void;
  /** How the stream's lines are drawn (links, images); read per row, so a late load applies to the next lines. */
  look: () => StreamLook;
}

const AT_BOTTOM_PX = 24;

/**
 * The chat list, built for floods: lines arriving between two frames are
 * rendered together in one animation frame, at most `maxRows` rows exist, and
 * scrolling up pauses the list (new lines wait, counted on the "N new
 * messages" button) until the reader jumps back down, as on Twitch.
 */
export class MessageList {
  readonly #list: HTMLOListElement;
  readonly #jump: HTMLButtonElement;
  readonly #o: MessageListOptions;
  readonly #rows = new Map<string, HTMLLIElement>();
  /** Lines not yet rendered, newest last; never more than maxRows. */
  #queue: Message[] = [];
  #unseen = 0;
  #paused = false;
  #frame = 0;

  constructor(list: HTMLOListElement, jump: HTMLButtonElement, options: MessageListOptions) {
    this.#list = list;
    this.#jump = jump;
    this.#o = options;
    list.addEventListener('scroll', () => this.#onScroll(), { passive: true });
    jump.addEventListener('click', () => this.#resume());
  }

  /** Replaces everything shown (a fresh join). */
  reset(history: readonly Message[]): void {
    this.#list.replaceChildren();
    this.#rows.clear();
    this.#queue = [];
    this.#paused = false;
    this.add(history);
  }

  add(msgs: readonly Message[]): void {
    if (msgs.length === 0) return;
    for (const m of msgs) this.#queue.push(m);
    if (this.#paused) this.#unseen += msgs.length;
    if (this.#queue.length > this.#o.maxRows) this.#queue.splice(0, this.#queue.length - this.#o.maxRows);
    this.#schedule();
  }

  /** Shows a row built elsewhere (the sender's own line) at once, at the bottom. */
  addOwn(row: HTMLLIElement): void {
    this.#flush();
    this.#list.append(row);
    this.#trim();
    this.#stickToBottom();
  }

  /**
   * Gives an own row its stored id once acknowledged; if the server's copy
   * was rendered first, the own row goes and the copy stays.
   */
  identifyOwn(row: HTMLLIElement, id: string): void {
    if (this.#rows.has(id)) {
      row.remove();
      return;
    }
    identify(row, id);
    this.#rows.set(id, row);
  }

  /**
   * A line deleted by a moderator (`by`) stays as a placeholder naming them;
   * one taken back otherwise (automod, the classifier, an unstored line) goes.
   * Lines not drawn yet just go.
   */
  retract(ids: readonly string[], by?: UserRef): void {
    const gone = new Set(ids);
    this.#queue = this.#queue.filter((m) => !gone.has(m.id));
    for (const id of ids) {
      const row = this.#rows.get(id);
      this.#rows.delete(id);
      if (row === undefined) continue;
      if (by === undefined) {
        row.remove();
        continue;
      }
      // Only the placeholder's own words: the line's text is gone from the page.
      row.className = 'message deleted';
      row.replaceChildren(el('span', 'deleted-note', `Message deleted by ${by.name}`));
    }
  }

  /** A moderator's /clear: every line goes, and one row says so. */
  clearAll(): void {
    this.#queue = [];
    this.#rows.clear();
    this.#list.replaceChildren(el('li', 'message cleared', 'Chat was cleared by a moderator.'));
  }

  /** Removes every line of a banned or timed-out user. */
  clearUser(userId: string): void {
    this.#queue = this.#queue.filter((m) => m.user.id !== userId);
    for (const row of [...this.#list.children] as HTMLLIElement[]) {
      if (row.dataset.user !== userId) continue;
      if (row.dataset.id !== undefined) this.#rows.delete(row.dataset.id);
      row.remove();
    }
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  #flush(): void {
    if (this.#frame !== 0) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#paused) {
      this.#showUnseen();
      return;
    }
    if (this.#queue.length === 0) return;
    const fragment = document.createDocumentFragment();
    for (const message of this.#queue) {
      const row = messageRow(message, this.#o.look());
      identify(row, message.id);
      this.#o.decorate(row, message);
      const shown = this.#rows.get(message.id);
      this.#rows.set(message.id, row);
      // The sender's own line, shown before the server had it: the server's copy (emotes, normalised text) takes its place.
      if (shown?.isConnected === true) shown.replaceWith(row);
      else fragment.append(row);
    }
    this.#queue = [];
    this.#list.append(fragment);
    this.#trim();
    this.#stickToBottom();
  }

  #trim(): void {
    let excess = this.#list.childElementCount - this.#o.maxRows;
    while (excess-- > 0) {
      const first = this.#list.firstElementChild as HTMLLIElement;
      if (first.dataset.id !== undefined) this.#rows.delete(first.dataset.id);
      first.remove();
    }
  }

  #stickToBottom(): void {
    this.#list.scrollTop = this.#list.scrollHeight;
  }

  #onScroll(): void {
    const fromBottom = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight;
    if (fromBottom > AT_BOTTOM_PX) {
      this.#paused = true;
    } else if (this.#paused) {
      this.#resume();
    }
  }

  #resume(): void {
    this.#paused = false;
    this.#unseen = 0;
    this.#jump.hidden = true;
    this.#flush();
  }

  #showUnseen(): void {
    this.#jump.hidden = this.#unseen === 0;
    this.#jump.textContent = `${this.#unseen > 999 ? '999+' : this.#unseen} new message${this.#unseen === 1 ? '' : 's'}`;
  }
}
