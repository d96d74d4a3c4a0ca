import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';
import { GrantLimitError, MAX_GRANTS_PER_STREAM, type StateStore } from '../state/state.ts';
import { canModerate, rolesIn, type Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';
import type { ModAction } from '../protocol/client-frames.ts';
import type { GrantableRole } from '../protocol/types.ts';
import type { ChatService } from './chat-service.ts';
import type { GrantedRoles } from './granted-roles.ts';
import type { StreamSettings } from './stream-settings.ts';
import type { HeldMessage, HeldMessages } from './held-messages.ts';
import { retractMessages } from './retraction.ts';
import { asRefusal, backendError } from './backend-error.ts';

export interface ModeratorActionsDeps {
  state: StateStore;
  log: DurableLog;
  bus: Bus;
  chat: ChatService;
  held: HeldMessages;
  grants: GrantedRoles;
  settings: StreamSettings;
  now: () => number;
  /** Where a backing service's failure is logged; the caller gets only its reference (backend-error.ts). */
  logger: Logger;
}

/**
 * Moderator actions, shared by the WebSocket `mod` frame, the HTTP routes and
 * IRC commands. Every one checks the caller's role in that stream first,
 * roles granted on the server included.
 */
export class ModeratorActions {
  readonly #d: ModeratorActionsDeps;

  constructor(deps: ModeratorActionsDeps) {
    this.#d = deps;
  }

  async apply(identity: Identity | null, stream: string, action: ModAction): Promise<void> {
    const actor = await this.authorize(identity, stream);
    await this.#backed(() => this.#act(actor, stream, action));
  }

  async #act(actor: Identity, stream: string, action: ModAction): Promise<void> {
    const d = this.#d;
    switch (action.action) {
      case 'delete': {
        const found = await retractMessages(d.log, d.bus, stream, [action.id], 'deleted');
        if (found.length === 0) throw new ChatError('invalid', 'no such message in this stream');
        return;
      }
      case 'timeout':
      case 'ban': {
        const seconds = action.action === 'timeout' ? action.seconds : undefined;
        if (action.user === actor.id) throw new ChatError('invalid', 'you cannot ban or time out yourself');
        await d.state.setBan(stream, action.user, { until: seconds === undefined ? null : d.now() + seconds * 1000 });
        await d.log.retractUser(stream, action.user);
        await d.bus.publish(stream, { kind: 'clear', user: action.user, reason: action.action, seconds });
        return;
      }
      case 'unban':
        await d.state.removeBan(stream, action.user);
        return;
      case 'modes': {
        const modes = await d.settings.setModes(stream, action.modes);
        await d.bus.publish(stream, { kind: 'state', state: { modes } });
        return;
      }
      case 'rules':
        await d.settings.setRules(stream, action.rules);
        return;
      case 'approve':
        await d.chat.approveHeld(stream, action.id);
        return;
      case 'deny':
        if (d.held.take(stream, action.id, d.now()) === undefined) throw new ChatError('invalid', 'no such held message (it may have expired)');
        return;
      case 'grant':
      case 'revoke':
        this.#assertBroadcaster(actor, stream);
        throwIfRefused(await this.#changeRole(stream, action.user, action.role, action.action === 'grant'));
        return;
    }
  }

  /**
   * The broadcaster grants or revokes one role (IRC's /mod, /vip and their
   * undoing); the outcome says why nothing changed, as Twitch's msg-ids do.
   */
  async changeRole(identity: Identity | null, stream: string, userId: string, role: GrantableRole, granting: boolean): Promise<RoleChange> {
    this.#assertBroadcaster(await this.authorize(identity, stream), stream);
    return this.#backed(() => this.#changeRole(stream, userId, role, granting));
  }

  /** The broadcaster replaces a user's granted roles (an empty list revokes them). */
  async setRoles(identity: Identity | null, stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    this.#assertBroadcaster(await this.authorize(identity, stream), stream);
    const outcome = await this.#backed(async () => {
      const current = (await this.#d.grants.list(stream)).get(userId) ?? [];
      return this.#storeRoles(stream, userId, current, [...new Set(roles)]);
    });
    throwIfRefused(outcome);
  }

  async #changeRole(stream: string, userId: string, role: GrantableRole, granting: boolean): Promise<RoleChange> {
    const current = (await this.#d.grants.list(stream)).get(userId) ?? [];
    if (current.includes(role) === granting) return 'unchanged';
    return this.#storeRoles(stream, userId, current, granting ? [...current, role] : current.filter((r) => r !== role));
  }

  /** A role is never given to a banned user (as on Twitch); taking one away always works. */
  async #storeRoles(stream: string, userId: string, current: readonly GrantableRole[], roles: GrantableRole[]): Promise<RoleChange> {
    const adds = roles.some((r) => !current.includes(r));
    if (adds && (await this.#d.state.getBan(stream, userId, this.#d.now()))?.until === null) return 'banned';
    try {
      await this.#d.grants.set(stream, userId, roles);
    } catch (err) {
      if (err instanceof GrantLimitError) return 'full';
      throw err;
    }
    return 'changed';
  }

  /** Moderators see who holds granted roles. */
  async listRoles(identity: Identity | null, stream: string): Promise<Map<string, GrantableRole[]>> {
    await this.authorize(identity, stream);
    return this.#backed(() => this.#d.grants.list(stream));
  }

  async heldMessages(identity: Identity | null, stream: string): Promise<HeldMessage[]> {
    await this.authorize(identity, stream);
    return this.#d.held.list(stream, this.#d.now());
  }

  /** The caller's identity with its granted roles, if it may moderate the stream; else the refusal. */
  async authorize(identity: Identity | null, stream: string): Promise<Identity> {
    if (identity === null) throw new ChatError('unauthorized', 'sign in to moderate');
    const actor = await this.#withGrants(identity, stream);
    if (!canModerate(actor, stream)) throw new ChatError('forbidden', 'only the broadcaster and moderators of this stream may do that');
    return actor;
  }

  /** Whether the caller may moderate the stream (moderator replay), never throwing for a plain viewer. */
  async isModerator(identity: Identity | null, stream: string): Promise<boolean> {
    return identity !== null && canModerate(await this.#withGrants(identity, stream), stream);
  }

  /** Granted roles are one more read that can fail: a failure is a backing service's, not the caller's. */
  async #withGrants(identity: Identity, stream: string): Promise<Identity> {
    try {
      return (await this.#d.grants.effective(identity, stream))!;
    } catch (err) {
      throw backendError(this.#d.logger, err, { stream });
    }
  }

  /** A refusal stays as it is; any other failure is a backing service's. */
  async #backed<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw asRefusal(this.#d.logger, err);
    }
  }

  #assertBroadcaster(actor: Identity, stream: string): void {
    if (!rolesIn(actor, stream).includes('broadcaster')) throw new ChatError('forbidden', 'only the broadcaster of this stream may grant or revoke roles');
  }
}

/** How a grant or revoke ended: `unchanged` when the user already had (or lacked) the role. */
export type RoleChange = 'changed' | 'unchanged' | 'banned' | 'full';

/** v1 and HTTP: a grant that could not be stored is `invalid`; asking for what already holds is not an error. */
function throwIfRefused(outcome: RoleChange): void {
  if (outcome === 'banned') throw new ChatError('invalid', 'that user is banned from this stream; unban them before granting a role');
  if (outcome === 'full') throw new ChatError('invalid', `a stream may grant roles to at most ${MAX_GRANTS_PER_STREAM} users; revoke some first`);
}
