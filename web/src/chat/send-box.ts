import type { Answer, ErrorCode, User } from '../shared/wire.ts';
import { Countdown } from './countdown.ts';
import type { MessageList } from './message-list.ts';
import { messageRow } from './message-row.ts';

export interface SendBoxDeps {
  form: HTMLFormElement;
  input: HTMLInputElement;
  button: HTMLButtonElement;
  status: HTMLElement;
  list: MessageList;
  send: (text: string) => Promise<Answer>;
  /** The signed-in user as they appear in this stream (badges), or null when anonymous. */
  me: () => User | null;
  /** Slow-mode seconds that apply to this user (0 for moderators). */
  slowSeconds: () => number;
}

// Refusals whose wait is worth counting down on the button.
const WAITS: Partial<Record<ErrorCode, string>> = {
  slow_mode: 'Slow mode: you can send again in',
  rate_limited: 'You are sending too fast: try again in',
  timed_out: 'You are timed out:',
  overloaded: 'Chat is overloaded: try again in',
};

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  banned: 'You are banned from this chat.',
  held: 'Your message is held for a moderator to review.',
  unauthorized: 'Log in to chat.',
};

/**
 * The send box: shows the sender's line at once (kept even when the server
 * samples it out of the broadcast), and shows refusals and waits inline,
 * counting down slow mode and rate limits.
 */
export class SendBox {
  readonly #d: SendBoxDeps;
  readonly #countdown: Countdown;
  #waitText = '';

  constructor(deps: SendBoxDeps) {
    this.#d = deps;
    this.#countdown = new Countdown((left) => this.#showWait(left));
    deps.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
  }

  /** Enables the box for a signed-in user, or asks an anonymous one to log in. */
  setSignedIn(signedIn: boolean, maxLength: number): void {
    this.#d.input.disabled = !signedIn;
    this.#d.input.maxLength = maxLength;
    this.#d.input.placeholder = signedIn ? 'Send a message' : 'Log in to chat';
    this.#d.button.disabled = !signedIn || this.#countdown.running;
  }

  async #submit(): Promise<void> {
    const me = this.#d.me();
    const text = this.#d.input.value.trim();
    if (me === null || text === '' || this.#countdown.running) return;
    this.#d.input.value = '';
    this.#say('');
    const row = messageRow({ user: me, text });
    row.classList.add('own', 'pending');
    this.#d.list.addOwn(row);
    const answer = await this.#d.send(text);
    row.classList.remove('pending');
    if (answer.type === 'ack') {
      if (answer.sampled === true) {
        row.classList.add('sampled');
        row.title = 'Chat is moving too fast: only you see this line';
      }
      this.#d.list.identifyOwn(row, answer.id ?? '');
      const slow = this.#d.slowSeconds();
      if (slow > 0) this.#wait('Slow mode: you can send again in', slow * 1000);
      return;
    }
    row.remove();
    const wait = WAITS[answer.code];
    if (wait !== undefined && answer.retryAfterMs !== undefined) this.#wait(wait, answer.retryAfterMs);
    else this.#say(REFUSALS[answer.code] ?? capitalise(answer.message), answer.code);
  }

  #wait(text: string, ms: number): void {
    this.#waitText = text;
    this.#countdown.start(ms);
  }

  #showWait(left: number): void {
    const signedIn = this.#d.me() !== null;
    if (left > 0) {
      this.#d.button.disabled = true;
      this.#d.button.textContent = `${left} s`;
      this.#say(`${this.#waitText} ${left} s`, 'wait');
    } else {
      this.#d.button.disabled = !signedIn;
      this.#d.button.textContent = 'Chat';
      this.#say('');
    }
  }

  #say(text: string, kind = ''): void {
    this.#d.status.textContent = text;
    this.#d.status.dataset.kind = kind;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
