import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.ts';
import type { DurableLog, UserRetraction } from '../log/log.ts';
import { GrantLimitError, MAX_GRANTS_PER_STREAM, type Ban, type StateStore } from '../state/state.ts';
import { canModerate, rolesIn, type Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';
import type { ModAction } from '../protocol/client-frames.ts';
import type { GrantableRole, Pin, Role } from '../protocol/types.ts';
import type { MessageLookup } from './message-lookup.ts';
import type { ChatService } from './chat-service.ts';
import type { GrantedRoles } from './granted-roles.ts';
import type { TokenRoles } from './token-roles.ts';
import type { StreamSettings } from './stream-settings.ts';
import type { ModeratorRateLimit } from './moderator-rate-limit.ts';
import type { HeldMessages } from './held-messages.ts';
import type { HeldView } from '../bus/bus.ts';
import { retractMessages } from './retraction.ts';
import { assertEmpowered, assertMayActOn, hasPowers, type Member, type TargetedAction } from './moderation-hierarchy.ts';
import { asRefusal, backendError } from './backend-error.ts';
import type { ModlogRecorder } from './modlog-recorder.ts';
import { modlogInputOf } from './modlog-input.ts';

export interface ModeratorActionsDeps {
  state: StateStore;
  log: DurableLog;
  bus: Bus;
  chat: ChatService;
  held: HeldMessages;
  grants: GrantedRoles;
  /** Token roles recorded in the stream: a moderator's target may never have chatted there. */
  tokenRoles: TokenRoles;
  settings: StreamSettings;
  /** Finds the line to pin among the stream's displayable lines. */
  lookup: MessageLookup;
  /** Every write counts here first (moderator-rate-limit.ts). */
  writeLimit: ModeratorRateLimit;
  now: () => number;
  /** How far back a ban or timeout retracts the target's lines (clearWindowMs, clearMaxLines). */
  clear: { windowMs: number; maxLines: number };
  /** Where a backing service's failure is logged; the caller gets only its reference (backend-error.ts). */
  logger: Logger;
  /** Every action that took effect is recorded here, once, whatever transport asked for it. */
  modlog: Pick<ModlogRecorder, 'record'>;
}

/**
 * Moderator actions, shared by the WebSocket `mod` frame, the HTTP routes and
 * IRC commands. Every one checks the caller's role in that stream first,
 * roles granted on the server included, then the moderation hierarchy
 * (moderation-hierarchy.ts) for the user it is aimed at.
 */
export class ModeratorActions {
  readonly #d: ModeratorActionsDeps;

  constructor(deps: ModeratorActionsDeps) {
    this.#d = deps;
  }

  async apply(identity: Identity | null, stream: string, action: ModAction): Promise<void> {
    this.#d.writeLimit.check(identity);
    const actor = await this.authorize(identity, stream);
    const touched = await this.#backed(() => this.#act(actor, stream, action));
    // Role changes are recorded where every road to them meets (#storeRoles), and only when something changed.
    if (action.action !== 'grant' && action.action !== 'revoke') await this.#d.modlog.record(actor, stream, modlogInputOf(action, touched));
  }

  /** Does the action; returns the user it reached as the stream knows them (a line's author, a named user's name), for the audit log. */
  async #act(actor: Identity, stream: string, action: ModAction): Promise<Touched> {
    const d = this.#d;
    switch (action.action) {
      case 'delete': {
        const message = await d.log.message(stream, action.id);
        if (message !== undefined) {
          assertMayActOn('delete', memberOf(actor, stream), await this.#member(stream, message.user.id, message.user.badges));
          // Deleting a deleted message again is acknowledged (and announced again), as before.
          if ((await retractMessages(d.log, d.bus, stream, [action.id], 'deleted', { id: actor.id, name: actor.name })).length > 0) return message.user;
        }
        throw new NoSuchMessage();
      }
      case 'timeout':
      case 'ban': {
        const seconds = action.action === 'timeout' ? action.seconds : undefined;
        const target = await this.#assertMayTarget(action.action, actor, stream, action.user);
        await d.state.setBan(stream, action.user, { until: seconds === undefined ? null : d.now() + seconds * 1000 });
        await d.log.retractUser(stream, action.user, this.#clearBounds());
        await d.bus.publish(stream, { kind: 'clear', user: action.user, reason: action.action, seconds });
        return target;
      }
      case 'unban': {
        const target = await this.#assertMayTarget('unban', actor, stream, action.user);
        await d.state.removeBan(stream, action.user);
        return target;
      }
      // Warnings and restrictions are state every gateway's send check reads (standing.ts).
      case 'warn': {
        const target = await this.#assertMayTarget('warn', actor, stream, action.user);
        await d.state.setWarning(stream, action.user, action.reason);
        await d.bus.publish(stream, { kind: 'warned', user: action.user, reason: action.reason });
        return target;
      }
      case 'restrict':
      case 'unrestrict': {
        const target = await this.#assertMayTarget(action.action, actor, stream, action.user);
        await d.state.setRestricted(stream, action.user, action.action === 'restrict');
        return target;
      }
      case 'clear':
        await d.bus.publish(stream, { kind: 'clearAll' });
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
        return (await d.chat.approveHeld(stream, action.id)).user;
      case 'deny': {
        const held = await d.held.take(stream, action.id, d.now(), 'denied');
        if (held === undefined) throw new ChatError('invalid', 'no such held message (it may have expired)');
        d.held.settle(held, 'denied');
        return held.user;
      }
      case 'pin': {
        const message = await d.lookup.displayable(stream, action.id);
        if (message === undefined) throw new ChatError('invalid', 'no such line in this stream to pin');
        const at = d.now();
        const pin: Pin = { message, by: { id: actor.id, name: actor.name }, at };
        if (action.seconds !== undefined) pin.until = at + action.seconds * 1000;
        await d.state.setPin(stream, pin);
        await d.bus.publish(stream, { kind: 'state', state: { pinned: pin } });
        return message.user;
      }
      case 'unpin':
        // Unpinning when nothing is pinned is acknowledged, as a mode set to its value is.
        await d.state.setPin(stream, null);
        await d.bus.publish(stream, { kind: 'state', state: { pinned: null } });
        return;
      case 'grant':
      case 'revoke':
        this.#assertBroadcaster(actor, stream);
        throwIfRefused(await this.#changeRole(actor, stream, action.user, action.role, action.action === 'grant'));
        return;
    }
  }

  /** Whether the actor may ban, time out, unban, warn or restrict `userId` (moderation-hierarchy.ts); the target as last seen in the stream, if they were. */
  async #assertMayTarget(action: TargetedAction, actor: Identity, stream: string, userId: string): Promise<Touched> {
    const self = memberOf(actor, stream);
    if (userId === actor.id) {
      assertMayActOn(action, self, self);
      return actor;
    }
    const seen = await this.#d.log.newestOf(stream, userId);
    assertMayActOn(action, self, await this.#member(stream, userId, seen?.user.badges ?? []));
    return seen?.user;
  }

  /**
   * Another user's roles in the stream as far as the server knows them: the
   * granted ones, the token's as recorded when its holder joined or acted
   * there (token-roles.ts), and `badges` the caller saw on one of their lines
   * (a line outlives that record on an embedded server's restart).
   */
  async #member(stream: string, userId: string, badges: readonly Role[]): Promise<Member> {
    const [granted, recorded] = await Promise.all([this.#d.grants.of(stream, userId), this.#d.tokenRoles.of(stream, userId)]);
    return { id: userId, roles: [...badges, ...granted, ...recorded] };
  }

  /** A ban or timeout retracts the target's lines of the last clearWindowMs, at most clearMaxLines. */
  #clearBounds(): UserRetraction {
    return { sinceMs: this.#d.now() - this.#d.clear.windowMs, max: this.#d.clear.maxLines };
  }

  /**
   * The broadcaster grants or revokes one role (IRC's /mod, /vip and their
   * undoing); the outcome says why nothing changed, as Twitch's msg-ids do.
   */
  async changeRole(identity: Identity | null, stream: string, userId: string, role: GrantableRole, granting: boolean): Promise<RoleChange> {
    this.#d.writeLimit.check(identity);
    const actor = await this.authorize(identity, stream);
    this.#assertBroadcaster(actor, stream);
    return this.#backed(() => this.#changeRole(actor, stream, userId, role, granting));
  }

  /** The broadcaster replaces a user's granted roles (an empty list revokes them). */
  async setRoles(identity: Identity | null, stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    this.#d.writeLimit.check(identity);
    const actor = await this.authorize(identity, stream);
    this.#assertBroadcaster(actor, stream);
    const outcome = await this.#backed(async () => {
      const current = (await this.#d.grants.list(stream)).get(userId) ?? [];
      return this.#storeRoles(actor, stream, userId, current, [...new Set(roles)]);
    });
    throwIfRefused(outcome);
  }

  async #changeRole(actor: Identity, stream: string, userId: string, role: GrantableRole, granting: boolean): Promise<RoleChange> {
    const current = (await this.#d.grants.list(stream)).get(userId) ?? [];
    if (current.includes(role) === granting) return 'unchanged';
    return this.#storeRoles(actor, stream, userId, current, granting ? [...current, role] : current.filter((r) => r !== role));
  }

  /** A role is never given to a banned user (as on Twitch); taking one away always works. */
  async #storeRoles(actor: Identity, stream: string, userId: string, current: readonly GrantableRole[], roles: GrantableRole[]): Promise<RoleChange> {
    const adds = roles.some((r) => !current.includes(r));
    if (adds && (await this.#d.state.getBan(stream, userId, this.#d.now()))?.until === null) return 'banned';
    try {
      await this.#d.grants.set(stream, userId, roles);
    } catch (err) {
      if (err instanceof GrantLimitError) return 'full';
      throw err;
    }
    for (const role of roles) if (!current.includes(role)) await this.#d.modlog.record(actor, stream, { action: 'grant', user: { id: userId }, detail: role });
    for (const role of current) if (!roles.includes(role)) await this.#d.modlog.record(actor, stream, { action: 'revoke', user: { id: userId }, detail: role });
    return 'changed';
  }

  /** Moderators see who holds granted roles. */
  async listRoles(identity: Identity | null, stream: string): Promise<Map<string, GrantableRole[]>> {
    await this.authorize(identity, stream);
    return this.#backed(() => this.#d.grants.list(stream));
  }

  async heldMessages(identity: Identity | null, stream: string): Promise<HeldView[]> {
    await this.authorize(identity, stream);
    const held = await this.#backed(() => this.#d.held.list(stream, this.#d.now()));
    return held.map((h) => this.#d.held.view(h));
  }

  /** The caller's identity with its granted roles, if it may moderate the stream; else the refusal. */
  async authorize(identity: Identity | null, stream: string): Promise<Identity> {
    if (identity === null) throw new ChatError('unauthorized', 'sign in to moderate');
    const actor = await this.#withGrants(identity, stream);
    if (!canModerate(actor, stream)) throw new ChatError('forbidden', 'only the broadcaster and moderators of this stream may do that');
    assertEmpowered(memberOf(actor, stream), await this.#banOf(actor, stream));
    // A moderator who acts here is recorded as one, so other moderators cannot ban them before they chat.
    await this.#d.tokenRoles.note(identity, stream);
    return actor;
  }

  #banOf(actor: Identity, stream: string): Promise<Ban | null> {
    return this.#backed(() => this.#d.state.getBan(stream, actor.id, this.#d.now()));
  }

  /** Whether the caller may moderate the stream now (moderator replay), never throwing for a plain viewer. */
  async isModerator(identity: Identity | null, stream: string): Promise<boolean> {
    if (identity === null) return false;
    const actor = await this.#withGrants(identity, stream);
    return canModerate(actor, stream) && hasPowers(memberOf(actor, stream), await this.#banOf(actor, stream));
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

/** A delete of a line the stream does not hold (or no longer shows): `invalid`, told apart by the YouTube layer (liveChatMessageNotFound). */
export class NoSuchMessage extends ChatError {
  constructor() {
    super('invalid', 'no such message in this stream');
  }
}

/** The user an action reached, with their name when the stream knows it (for the audit log). */
type Touched = { id: string; name: string } | undefined;

function memberOf(identity: Identity, stream: string): Member {
  return { id: identity.id, roles: rolesIn(identity, stream) };
}

/** How a grant or revoke ended: `unchanged` when the user already had (or lacked) the role. */
export type RoleChange = 'changed' | 'unchanged' | 'banned' | 'full';

/** v1 and HTTP: a grant that could not be stored is `invalid`; asking for what already holds is not an error. */
function throwIfRefused(outcome: RoleChange): void {
  if (outcome === 'banned') throw new ChatError('invalid', 'that user is banned from this stream; unban them before granting a role');
  if (outcome === 'full') throw new ChatError('invalid', `a stream may grant roles to at most ${MAX_GRANTS_PER_STREAM} users; revoke some first`);
}
