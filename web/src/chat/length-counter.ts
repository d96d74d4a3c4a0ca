// The characters left, shown once a message nears the server's limit
// (welcome.limits.maxTextLength). The box never cuts what was typed or
// pasted: a text over the limit stays whole, the counter goes negative and
// the send button waits until it is short enough.
const SHOW_WHEN_LEFT_FRACTION = 0.1;

export class LengthCounter {
  readonly #input: HTMLInputElement;
  readonly #output: HTMLElement;
  readonly #changed: () => void;
  #limit = Number.POSITIVE_INFINITY;
  #over = false;

  constructor(input: HTMLInputElement, output: HTMLElement, changed: () => void) {
    this.#input = input;
    this.#output = output;
    this.#changed = changed;
    input.addEventListener('input', () => this.update());
  }

  /** True while the text is longer than the limit. */
  get over(): boolean {
    return this.#over;
  }

  setLimit(limit: number): void {
    this.#limit = limit;
    this.update();
  }

  /** Recounts (call after setting the input's value from code: that fires no `input` event). */
  update(): void {
    // The server counts code points of the trimmed text (after folding whitespace, which only shortens it).
    let length = 0;
    for (const _ of this.#input.value.trim()) length++;
    const left = this.#limit - length;
    const over = left < 0;
    this.#output.hidden = left > Math.floor(this.#limit * SHOW_WHEN_LEFT_FRACTION);
    this.#output.textContent = String(left);
    this.#output.dataset.over = String(over);
    if (over !== this.#over) {
      this.#over = over;
      this.#changed();
    }
  }
}
