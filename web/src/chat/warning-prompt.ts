import type { Answer } from '../shared/wire.ts';

/**
 * A moderator's warning: a send refused with `warned` shows the warning
 * (the refusal's message, set by the send box) and this button; clicking it
 * acknowledges the warning (the v1 `acknowledge` frame), after which sends
 * are accepted again.
 */
export class WarningPrompt {
  readonly #button: HTMLButtonElement;
  readonly #status: HTMLElement;
  readonly #request: (frame: Record<string, unknown>) => Promise<Answer>;

  constructor(button: HTMLButtonElement, status: HTMLElement, request: (frame: Record<string, unknown>) => Promise<Answer>) {
    this.#button = button;
    this.#status = status;
    this.#request = request;
    button.addEventListener('click', () => void this.#acknowledge());
  }

  /** Passes a send's answer through, showing the button when it is a warning. */
  watch(answer: Answer): Answer {
    if (answer.type === 'error' && answer.code === 'warned') this.#button.hidden = false;
    return answer;
  }

  async #acknowledge(): Promise<void> {
    const answer = await this.#request({ type: 'acknowledge' });
    if (answer.type === 'error') {
      this.#status.textContent = `Could not acknowledge: ${answer.message}`;
      return;
    }
    this.#button.hidden = true;
    this.#status.textContent = 'Warning acknowledged: you may chat again.';
  }
}
