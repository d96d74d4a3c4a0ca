import type { Answer, ErrorCode, User } from '../shared/wire.ts';
import { Countdown } from './countdown.ts';
import { LengthCounter } from './length-counter.ts';
import type { MessageList } from './message-list.ts';
import { messageRow } from './message-row.ts';
import type { StreamLook } from './stream-look.ts';

export interface SendBoxDeps {
  form: HTMLFormElement;
  input: HTMLInputElement;
  button: HTMLButtonElement;
  status: HTMLElement;
  /** Characters left near the limit. */
  counter: HTMLElement;
  list: MessageList;
  send: (text: string) => Promise<Answer>;
  /** The signed-in user as they appear in this stream (badges), or null when anonymous. */
  me: () => User | null;
  /** Slow-mode seconds that apply to this user (0 for moderators). */
  slowSeconds: () => number;
  look: () => StreamLook;
}

// Refusals whose wait is worth counting down on the button.
const WAITS: Partial<Record<ErrorCode, string>> = {
  slow_mode: 'Slow mode: you can send again in',
  rate_limited: 'You are sending too fast: try again in',
  timed_out: 'You are timed out:',
  overloaded: 'Chat is very busy: try again in',
};

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  banned: 'You are banned from this chat.',
  held: 'Your message is held for a moderator to review.',
  unauthorized: 'Log in to chat.',
};

/**
 * The send box: shows the sender's line at once (kept even when the server
 * samples it out of the broadcast), shows refusals and waits inline
 * (counting down slow mode, rate limits and timeouts), puts a refused text
 * back in the box, and counts characters near the limit.
 */
export class SendBox {
  readonly #d: SendBoxDeps;
  readonly #countdown: Countdown;
  readonly #counter: LengthCounter;
  #signedIn = false;
  #banned = false;
  #waitCode: ErrorCode | undefined;
  #waitText = '';

  constructor(deps: SendBoxDeps) {
    this.#d = deps;
    this.#countdown = new Countdown((left) => this.#showWait(left));
    this.#counter = new LengthCounter(deps.input, deps.counter, () => this.#enable());
    deps.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submit();
    });
  }

  /** Enables the box for a signed-in user, or asks an anonymous one to log in. */
  setSignedIn(signedIn: boolean, maxLength: number): void {
    this.#signedIn = signedIn;
    this.#d.input.disabled = !signedIn;
    this.#d.input.placeholder = signedIn ? 'Send a message' : 'Log in to chat';
    this.#counter.setLimit(maxLength);
    this.#enable();
  }

  /** This user was banned or timed out here (a `clear` naming them): says so at once and waits. */
  restrict(reason: 'ban' | 'timeout', seconds: number | undefined): void {
    if (reason === 'ban') {
      this.#banned = true;
      this.#countdown.stop();
      this.#say(REFUSALS.banned!, 'banned');
      this.#enable();
    } else if (seconds !== undefined) {
      this.#wait('timed_out', seconds * 1000);
    }
  }

  /** A fresh join: a ban lifted meanwhile is found out by the next send, as on any other page. */
  rejoined(): void {
    if (!this.#banned) return;
    this.#banned = false;
    this.#say('');
    this.#enable();
  }

  /** Slow mode changed: a slow-mode wait ends at once when slow mode is off for this user. */
  modesChanged(): void {
    if (this.#waitCode === 'slow_mode' && this.#d.slowSeconds() === 0) this.#countdown.stop();
  }

  async #submit(): Promise<void> {
    const me = this.#d.me();
    const typed = this.#d.input.value;
    const text = typed.trim();
    if (me === null || text === '' || this.#blocked()) return;
    this.#d.input.value = '';
    this.#counter.update();
    this.#say('');
    const row = messageRow({ user: me, text, ts: Date.now() }, this.#d.look());
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
      if (slow > 0) this.#wait('slow_mode', slow * 1000);
      return;
    }
    row.remove();
    // Nothing typed is lost: the refused text comes back, unless something new was typed meanwhile.
    if (this.#d.input.value === '') {
      this.#d.input.value = typed;
      this.#counter.update();
    }
    const wait = WAITS[answer.code];
    if (wait !== undefined && answer.retryAfterMs !== undefined) this.#wait(answer.code, answer.retryAfterMs);
    else {
      if (answer.code === 'banned') this.#banned = true;
      this.#say(REFUSALS[answer.code] ?? capitalise(answer.message), answer.code);
      this.#enable();
    }
  }

  #blocked(): boolean {
    return !this.#signedIn || this.#banned || this.#countdown.running || this.#counter.over;
  }

  #enable(): void {
    this.#d.button.disabled = this.#blocked();
  }

  #wait(code: ErrorCode, ms: number): void {
    this.#waitCode = code;
    this.#waitText = WAITS[code]!;
    this.#countdown.start(ms);
  }

  #showWait(left: number): void {
    if (left > 0) {
      this.#d.button.textContent = `${left} s`;
      this.#say(`${this.#waitText} ${left} s`, 'wait');
    } else {
      this.#waitCode = undefined;
      this.#d.button.textContent = 'Chat';
      if (!this.#banned) this.#say('');
    }
    this.#enable();
  }

  #say(text: string, kind = ''): void {
    this.#d.status.textContent = text;
    this.#d.status.dataset.kind = kind;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
