import { byId } from '../shared/dom.ts';
import type { StreamState } from '../shared/wire.ts';
import type { ConnectionStatus } from './connection.ts';

/** The lines above the chat: viewer count, active modes, the sampling notice and the connection. */
export class StatusBar {
  readonly #viewers = byId('viewers');
  readonly #modes = byId('modes-banner');
  readonly #sampling = byId('sampling-notice');
  readonly #connection = byId('connection');
  #retryTimer: number | undefined;

  showState(state: StreamState): void {
    this.#viewers.textContent = `${state.viewers.toLocaleString()} watching`;
    const modes: string[] = [];
    if (state.modes.slowSeconds > 0) modes.push(`Slow mode (${state.modes.slowSeconds} s)`);
    if (state.modes.subscribersOnly) modes.push('Subscribers-only');
    if (state.modes.emoteOnly) modes.push('Emote-only');
    this.#modes.hidden = modes.length === 0;
    this.#modes.textContent = modes.join(' · ');
    this.#sampling.hidden = !state.rate.sampling;
  }

  showConnection(status: ConnectionStatus): void {
    window.clearInterval(this.#retryTimer);
    this.#connection.dataset.status = status.kind;
    if (status.kind === 'online') this.#connection.textContent = 'Live';
    else if (status.kind === 'connecting') this.#connection.textContent = 'Connecting…';
    else {
      const show = (): void => {
        this.#connection.textContent = `Reconnecting in ${Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000))} s…`;
      };
      show();
      this.#retryTimer = window.setInterval(show, 500);
    }
  }
}
