import type { Answer, Modes } from '../shared/wire.ts';
import { byId } from '../shared/dom.ts';

export interface ModPanelDeps {
  stream: string;
  request: (frame: Record<string, unknown>) => Promise<Answer>;
  token: () => string | null;
}

interface Rules {
  blockedTerms: string[];
  blockLinks: boolean;
  emotes?: string[];
}

const MAX_TERMS = 1_000;

/**
 * The moderator panel: slow / subscribers-only / emote-only toggles that
 * follow the stream's state, a button that clears the chat, and an editor for the stream's own rules
 * (blocked terms, links), loaded over HTTP and saved with a `rules` action.
 */
export class ModPanel {
  readonly #d: ModPanelDeps;
  readonly #panel = byId<HTMLDetailsElement>('mod-panel');
  readonly #slow = byId<HTMLSelectElement>('mode-slow');
  readonly #subs = byId<HTMLInputElement>('mode-subscribers');
  readonly #emote = byId<HTMLInputElement>('mode-emote');
  readonly #unique = byId<HTMLSelectElement>('mode-unique');
  readonly #known = byId<HTMLSelectElement>('mode-known');
  readonly #delay = byId<HTMLSelectElement>('mode-delay');
  readonly #holdFirst = byId<HTMLInputElement>('mode-hold-first');
  readonly #terms = byId<HTMLTextAreaElement>('rules-terms');
  readonly #links = byId<HTMLInputElement>('rules-links');
  readonly #status = byId('mod-status');
  readonly #rulesForm = byId<HTMLFormElement>('rules-form');
  readonly #clear = byId<HTMLButtonElement>('mod-clear');
  #emotes: string[] | undefined;

  constructor(deps: ModPanelDeps) {
    this.#d = deps;
    this.#slow.addEventListener('change', () => void this.#setModes({ slowSeconds: Number(this.#slow.value) }));
    this.#subs.addEventListener('change', () => void this.#setModes({ subscribersOnly: this.#subs.checked }));
    this.#emote.addEventListener('change', () => void this.#setModes({ emoteOnly: this.#emote.checked }));
    this.#unique.addEventListener('change', () => void this.#setModes({ uniqueChatMinutes: Number(this.#unique.value) }));
    this.#known.addEventListener('change', () => void this.#setModes({ knownForMinutes: Number(this.#known.value) }));
    this.#delay.addEventListener('change', () => void this.#setModes({ chatDelaySeconds: Number(this.#delay.value) }));
    this.#holdFirst.addEventListener('change', () => void this.#setModes({ holdFirstMessages: this.#holdFirst.checked }));
    this.#clear.addEventListener('click', () => void this.#clearChat());
    this.#rulesForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#saveRules();
    });
    this.#panel.addEventListener('toggle', () => {
      if (this.#panel.open) void this.#loadRules();
    });
  }

  show(visible: boolean): void {
    this.#panel.hidden = !visible;
  }

  /** Follows the stream's modes (from `joined` and `state`). */
  showModes(modes: Modes): void {
    choose(this.#slow, modes.slowSeconds, 's');
    choose(this.#unique, modes.uniqueChatMinutes, 'min');
    choose(this.#known, modes.knownForMinutes, 'min');
    choose(this.#delay, modes.chatDelaySeconds, 's');
    this.#subs.checked = modes.subscribersOnly;
    this.#emote.checked = modes.emoteOnly;
    this.#holdFirst.checked = modes.holdFirstMessages;
  }

  report(text: string): void {
    this.#status.textContent = text;
  }

  async #setModes(modes: Partial<Modes>): Promise<void> {
    const answer = await this.#d.request({ type: 'mod', action: 'modes', modes });
    this.report(answer.type === 'ack' ? 'Modes changed.' : `Could not change modes: ${answer.message}`);
  }

  /** /clear: every line goes from every page (each gets a `clear` frame without a user). */
  async #clearChat(): Promise<void> {
    const answer = await this.#d.request({ type: 'mod', action: 'clear' });
    this.report(answer.type === 'ack' ? 'Chat cleared.' : `Could not clear the chat: ${answer.message}`);
  }

  /** Fills the editor with the stored rules; it stays disabled meanwhile, so nothing typed is overwritten by the load. */
  async #loadRules(): Promise<void> {
    this.#setEditable(false);
    try {
      const response = await fetch(`/api/streams/${encodeURIComponent(this.#d.stream)}/rules`, { headers: { authorization: `Bearer ${this.#d.token() ?? ''}` } });
      if (!response.ok) {
        this.report(`Could not load the rules (${response.status}).`);
        return;
      }
      const rules = (await response.json()) as Rules;
      this.#terms.value = rules.blockedTerms.join('\n');
      this.#links.checked = rules.blockLinks;
      this.#emotes = rules.emotes;
    } finally {
      this.#setEditable(true);
    }
  }

  #setEditable(editable: boolean): void {
    for (const control of this.#rulesForm.elements) (control as HTMLInputElement).disabled = !editable;
  }

  async #saveRules(): Promise<void> {
    const blockedTerms = this.#terms.value.split('\n').map((t) => t.trim()).filter((t) => t !== '').slice(0, MAX_TERMS);
    const rules: Rules = { blockedTerms, blockLinks: this.#links.checked, ...(this.#emotes !== undefined ? { emotes: this.#emotes } : {}) };
    const answer = await this.#d.request({ type: 'mod', action: 'rules', rules });
    this.report(answer.type === 'ack' ? 'Rules saved.' : `Could not save the rules: ${answer.message}`);
  }
}

/** Selects `value` in a mode's menu, adding it when another moderator chose one the menu lacks. */
function choose(select: HTMLSelectElement, value: number, unit: string): void {
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) select.append(new Option(`${text} ${unit}`, text));
  select.value = text;
}
