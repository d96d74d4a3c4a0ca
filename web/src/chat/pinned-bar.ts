import { el } from '../shared/dom.ts';
import type { Answer, Pin } from '../shared/wire.ts';

/**
 * The pinned line at the top of the chat, from the stream's state: shown
 * while a pin is in `state`, gone when a state comes without one (unpinned,
 * or its time ended). A moderator gets an Unpin button; the server checks
 * the role again.
 */
export class PinnedBar {
  readonly #bar: HTMLElement;
  readonly #request: (frame: Record<string, unknown>) => Promise<Answer>;
  readonly #report: (text: string) => void;
  #moderator = false;
  #shown: Pin | undefined;

  constructor(bar: HTMLElement, request: (frame: Record<string, unknown>) => Promise<Answer>, report: (text: string) => void) {
    this.#bar = bar;
    this.#request = request;
    this.#report = report;
  }

  setModerator(moderator: boolean): void {
    this.#moderator = moderator;
    this.show(this.#shown);
  }

  show(pin: Pin | undefined): void {
    this.#shown = pin;
    this.#bar.hidden = pin === undefined;
    if (pin === undefined) {
      this.#bar.replaceChildren();
      return;
    }
    const parts: HTMLElement[] = [
      el('span', 'pinned-mark', 'Pinned'),
      el('span', 'name', pin.message.user.name),
      el('span', 'separator', ': '),
      el('span', 'text', pin.message.text),
      el('span', 'pinned-by', `by ${pin.by.name}`),
    ];
    if (this.#moderator) {
      const unpin = el('button', 'unpin', 'Unpin');
      unpin.type = 'button';
      unpin.addEventListener('click', () => void this.#unpin());
      parts.push(unpin);
    }
    this.#bar.replaceChildren(...parts);
  }

  async #unpin(): Promise<void> {
    const answer = await this.#request({ type: 'mod', action: 'unpin' });
    if (answer.type === 'error') this.#report(`Could not unpin: ${answer.message}`);
  }
}
