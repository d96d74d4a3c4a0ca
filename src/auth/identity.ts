import { createHash } from 'node:crypto';
import { ROLES, type Role, type User } from '../protocol/types.ts';

/** Who a verified token says the holder is. Roles are per stream. */
export interface Identity {
  id: string;
  name: string;
  color?: string;
  roles: Readonly<Record<string, readonly Role[]>>;
  /** When the token's issuer says the user became known (ms since epoch), from the KNOWN_SINCE_CLAIM claim: the account-age gate counts from it. */
  knownSince?: number;
}

/** The claim (a NumericDate: seconds since epoch) that says since when the issuer knows the user, e.g. their account's creation or follow. */
export const KNOWN_SINCE_CLAIM = 'known_since';

/** A NumericDate claim as ms since epoch; anything else (absent, not a finite non-negative number) is ignored, never refused. */
export function parseKnownSince(raw: unknown): number | undefined {
  return typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? raw * 1000 : undefined;
}

export const USER_NAME = /^[A-Za-z0-9_]{1,25}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const MAX_ROLE_STREAMS = 1_000;

/** The same name always gets the same id, across restarts and gateways. */
export function userIdForName(name: string): string {
  return 'u_' + createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 16);
}

/** A stable colour for users whose token names none, as Twitch does for new accounts. */
export function defaultColor(userId: string): string {
  const hue = createHash('sha256').update(userId).digest().readUInt16BE(0) % 360;
  return hslToHex(hue, 70, 55);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Validates untrusted roles (token claims, dev token requests); returns an error sentence or the roles. */
export function parseRoles(raw: unknown): Record<string, Role[]> | string {
  // Keys are stream names the token's issuer chose: a null prototype, so `constructor` is a stream like any other.
  const roles: Record<string, Role[]> = Object.create(null);
  if (raw === undefined || raw === null) return roles;
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'roles must be an object from stream to a list of roles';
  const entries = Object.entries(raw);
  if (entries.length > MAX_ROLE_STREAMS) return `roles may name at most ${MAX_ROLE_STREAMS} streams`;
  for (const [stream, list] of entries) {
    if (!Array.isArray(list)) return `roles.${stream} must be a list`;
    const valid = list.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
    if (valid.length !== list.length) return `roles.${stream} may hold only ${ROLES.join(', ')}`;
    roles[stream] = [...new Set(valid)];
  }
  return roles;
}

export function parseColor(raw: unknown): string | undefined {
  return typeof raw === 'string' && COLOR.test(raw) ? raw.toLowerCase() : undefined;
}

export function rolesIn(identity: Identity | null, stream: string): readonly Role[] {
  // Own keys only: a roles object built elsewhere (a spread, a default `{}`) still has Object.prototype behind it.
  return identity !== null && Object.hasOwn(identity.roles, stream) ? identity.roles[stream]! : [];
}

export function canModerate(identity: Identity | null, stream: string): boolean {
  const roles = rolesIn(identity, stream);
  return roles.includes('broadcaster') || roles.includes('moderator');
}

/** The User object outside any stream (welcome, dev token): no badges, since badges are per stream. */
export function profileOf(identity: Identity): User {
  return userIn(identity, '');
}

/** The User object of PROTOCOL.md for this identity in one stream: badges in a fixed order. */
export function userIn(identity: Identity, stream: string): User {
  const roles = rolesIn(identity, stream);
  const badges = ROLES.filter((r) => roles.includes(r));
  return { id: identity.id, name: identity.name, color: identity.color ?? defaultColor(identity.id), badges };
}
