import type { Answer } from '../shared/wire.ts';

/**
 * A moderator's warning: the `warning` frame (at once) or a send refused
 * with `warned` (the refusal's message, set by the send box) shows the
 * warning and this button; clicking it
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

  /** The warning as it arrives; the moderator's words go in as text. */
  show(reason: string): void {
    this.#status.textContent = `A moderator warned you: ${reason}`;
    this.#button.hidden = false;
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
