import type { ModAction } from '../protocol/client-frames.ts';
import type { ModlogInput } from '../protocol/modlog-entry.ts';
import type { Modes } from '../protocol/types.ts';

type Touched = { id: string; name: string } | undefined;

/**
 * What the audit log says of a v1/HTTP/IRC moderator action that took
 * effect; `touched` is the user it reached as the stream knows them (a
 * deleted, pinned or held line's author; a named user's name, when known).
 */
export function modlogInputOf(action: ModAction, touched: Touched): ModlogInput {
  switch (action.action) {
    case 'delete':
      return withReason({ action: 'delete', message: action.id, ...userOf(touched) }, action.reason);
    case 'timeout':
      return withReason({ action: 'timeout', user: named(action.user, touched), detail: `${action.seconds} s` }, action.reason);
    case 'ban':
      return withReason({ action: 'ban', user: named(action.user, touched) }, action.reason);
    case 'unban':
      return { action: 'unban', user: named(action.user, touched) };
    case 'modes':
      return { action: 'modes', detail: modesText(action.modes) };
    case 'rules':
      return { action: 'rules', detail: `${action.rules.blockedTerms.length} blocked terms, links ${action.rules.blockLinks ? 'blocked' : 'allowed'}` };
    case 'approve':
    case 'deny':
      return { action: action.action, message: action.id, ...userOf(touched) };
    case 'pin':
      return { action: 'pin', message: action.id, ...userOf(touched), ...(action.seconds !== undefined ? { detail: `${action.seconds} s` } : {}) };
    case 'unpin':
      return { action: 'unpin' };
    case 'grant':
    case 'revoke':
      return { action: action.action, user: { id: action.user }, detail: action.role };
    case 'warn':
      return { action: 'warn', user: named(action.user, touched), reason: action.reason };
    case 'restrict':
    case 'unrestrict':
      return { action: action.action, user: named(action.user, touched) };
    case 'clear':
      return { action: 'clear' };
  }
}

/** The named user, with their name when the stream knows it. */
function named(id: string, touched: Touched): NonNullable<ModlogInput['user']> {
  return touched?.id === id ? { id, name: touched.name } : { id };
}

function userOf(touched: Touched): Pick<ModlogInput, 'user'> {
  return touched === undefined ? {} : { user: { id: touched.id, name: touched.name } };
}

function withReason(input: ModlogInput, reason: string | undefined): ModlogInput {
  return reason === undefined ? input : { ...input, reason };
}

/** `slowSeconds=30, emoteOnly=true`: the modes a change set. */
function modesText(modes: Partial<Modes>): string {
  return Object.entries(modes).map(([mode, value]) => `${mode}=${String(value)}`).join(', ');
}
