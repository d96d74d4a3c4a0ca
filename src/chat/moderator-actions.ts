import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';
import type { StateStore } from '../state/state.ts';
import { canModerate, type Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';
import type { ModAction } from '../protocol/client-frames.ts';
import type { ChatService } from './chat-service.ts';
import type { HeldMessage, HeldMessages } from './held-messages.ts';
import { retractMessages } from './retraction.ts';

export interface ModeratorActionsDeps {
  state: StateStore;
  log: DurableLog;
  bus: Bus;
  chat: ChatService;
  held: HeldMessages;
  now: () => number;
}

/**
 * Moderator actions, shared by the WebSocket `mod` frame and the HTTP routes.
 * Every one checks the caller's role in that stream first.
 */
export class ModeratorActions {
  readonly #d: ModeratorActionsDeps;

  constructor(deps: ModeratorActionsDeps) {
    this.#d = deps;
  }

  async apply(identity: Identity | null, stream: string, action: ModAction): Promise<void> {
    this.assertModerator(identity, stream);
    const d = this.#d;
    try {
      switch (action.action) {
        case 'delete': {
          const found = await retractMessages(d.log, d.bus, stream, [action.id], 'deleted');
          if (found.length === 0) throw new ChatError('invalid', 'no such message in this stream');
          return;
        }
        case 'timeout':
        case 'ban': {
          const seconds = action.action === 'timeout' ? action.seconds : undefined;
          if (action.user === identity!.id) throw new ChatError('invalid', 'you cannot ban or time out yourself');
          await d.state.setBan(stream, action.user, { until: seconds === undefined ? null : d.now() + seconds * 1000 });
          await d.log.retractUser(stream, action.user);
          await d.bus.publish(stream, { kind: 'clear', user: action.user, reason: action.action, seconds });
          return;
        }
        case 'unban':
          await d.state.removeBan(stream, action.user);
          return;
        case 'modes': {
          const modes = await d.state.setModes(stream, action.modes);
          await d.bus.publish(stream, { kind: 'state', state: { modes } });
          return;
        }
        case 'rules':
          await d.state.setRules(stream, action.rules);
          return;
        case 'approve':
          await d.chat.approveHeld(stream, action.id);
          return;
        case 'deny':
          if (d.held.take(stream, action.id, d.now()) === undefined) throw new ChatError('invalid', 'no such held message (it may have expired)');
          return;
      }
    } catch (err) {
      if (err instanceof ChatError) throw err;
      throw new ChatError('unavailable', `a backing service is unavailable: ${(err as Error).message}`, 1_000);
    }
  }

  heldMessages(identity: Identity | null, stream: string): HeldMessage[] {
    this.assertModerator(identity, stream);
    return this.#d.held.list(stream, this.#d.now());
  }

  assertModerator(identity: Identity | null, stream: string): void {
    if (identity === null) throw new ChatError('unauthorized', 'sign in to moderate');
    if (!canModerate(identity, stream)) throw new ChatError('forbidden', 'only the broadcaster and moderators of this stream may do that');
  }
}
