// Who may moderate whom in one stream, as on Twitch: the broadcaster above
// moderators above everyone else (viewers, subscribers, VIPs). Pure rules:
// ModeratorActions resolves the roles and the ban, then asks here, so the
// WebSocket, HTTP and IRC paths cannot disagree.
import { ChatError } from '../protocol/errors.ts';
import type { Role } from '../protocol/types.ts';
import type { Ban } from '../state/state.ts';

/** A user in one stream as the hierarchy sees them: their roles there (token's and granted). */
export interface Member {
  id: string;
  roles: readonly Role[];
}

/** The actions aimed at one user (`delete` at a message's author). */
export type TargetedAction = 'ban' | 'timeout' | 'unban' | 'delete' | 'warn' | 'restrict' | 'unrestrict';

/** Those above the rest; IRC names its refusals after them (bad_ban_mod, bad_delete_message_broadcaster). */
export type Protected = 'broadcaster' | 'moderator';

/** A moderator acting on someone at or above them; `forbidden` on every transport. */
export class HierarchyRefusal extends ChatError {
  readonly action: TargetedAction;
  readonly target: Protected;

  constructor(action: TargetedAction, target: Protected) {
    const what = target === 'broadcaster' ? 'the broadcaster' : 'another moderator; only the broadcaster can';
    super('forbidden', `moderators cannot ${VERBS[action]} ${what}`);
    this.action = action;
    this.target = target;
  }
}

const VERBS: Record<TargetedAction, string> = { ban: 'ban', timeout: 'time out', unban: 'unban', delete: 'delete messages of', warn: 'warn', restrict: 'restrict', unrestrict: 'unrestrict' };

function standing(roles: readonly Role[]): number {
  if (roles.includes('broadcaster')) return 2;
  return roles.includes('moderator') ? 1 : 0;
}

/**
 * A moderator under a ban or timeout has no powers while it lasts (so cannot
 * lift it either). The broadcaster cannot be banned; one recorded before this
 * rule existed does not bind them, so they can lift it.
 */
export function hasPowers(actor: Member, ban: Ban | null): boolean {
  return ban === null || actor.roles.includes('broadcaster');
}

/** hasPowers, as the refusal every transport shows. */
export function assertEmpowered(actor: Member, ban: Ban | null): void {
  if (ban === null || hasPowers(actor, ban)) return;
  const state = ban.until === null ? 'banned from' : 'timed out in';
  throw new ChatError('forbidden', `you are ${state} this stream: a moderator has no powers until that ends`);
}

/**
 * Whether `actor` may do `action` to `target`. Nobody bans, times out, warns
 * or restricts themselves (`invalid`); anyone may delete their own lines and
 * lift their own ban or restriction (a banned moderator never gets here); otherwise the
 * target must stand below the actor.
 */
export function assertMayActOn(action: TargetedAction, actor: Member, target: Member): void {
  if (target.id === actor.id) {
    if (action === 'ban' || action === 'timeout') throw new ChatError('invalid', 'you cannot ban or time out yourself');
    if (action === 'warn' || action === 'restrict') throw new ChatError('invalid', `you cannot ${action} yourself`);
    return;
  }
  const above = standing(target.roles);
  if (above >= standing(actor.roles)) throw new HierarchyRefusal(action, above === 2 ? 'broadcaster' : 'moderator');
}
