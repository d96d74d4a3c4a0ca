import type { StreamImages } from '../protocol/stream-images.ts';
import type { GrantableRole, Modes, Pin, Role, StreamRules } from '../protocol/types.ts';

export interface Ban {
  /** ms since epoch when a timeout ends; null for a permanent ban. */
  until: number | null;
}

export interface SendCheck {
  stream: string;
  userId: string;
  now: number;
  /** Seconds between two messages of this user; 0 when slow mode is off or the user is exempt. */
  slowSeconds: number;
  /** Sliding-window limit for this user. */
  rateMax: number;
  rateWindowMs: number;
  /** Sliding-window limit (same window) for this user over all streams; absent or 0: none. */
  userRateMax?: number;
  /**
   * The line's checks against the stream's memory, run in the same call (one
   * round trip in Redis) once the send itself passes; absent: none.
   */
  line?: LineRules;
}

/** The roles a token claimed in a stream, recorded when its holder joined or acted there (chat/token-roles.ts). */
export interface TokenRolesRecord {
  stream: string;
  userId: string;
  roles: readonly Role[];
  now: number;
  /** The record lapses this long after `now` unless recorded again. */
  keepMs: number;
  /** Users recorded per stream; one more displaces the one recorded longest ago. */
  maxPerStream: number;
}

/**
 * The checks on a line's content that need the stream's memory (SendCheck.line):
 * unique chat, the user's duplicate, the account-age gate; and what the stream
 * knows of the user (first seen, last line) for first-time and returning chatters.
 */
export interface LineRules {
  /** A short digest of the line's folded text (chat/line-key.ts). */
  textKey: string;
  /** Unique chat: refuse a text the stream had within this long; 0: off (texts are not remembered then). */
  uniqueWindowMs: number;
  /** Texts a stream remembers for unique chat at most; the oldest go first. */
  uniqueMaxLines: number;
  /** Refuse a repeat of the user's own last line within this long; 0: off. */
  duplicateWindowMs: number;
  /** The account-age gate: the user must have been known to the stream this long; -1: off. */
  knownForMs: number;
  /** When a token claim says the user became known (ms since epoch); the older of it and the first sighting counts. */
  knownSince?: number;
  /** A line after at least this long without one makes the user a returning chatter. */
  returningAfterMs: number;
  /** A stream forgets a user this long after their last line or sighting. */
  chatterKeepMs: number;
  /** Users a stream remembers at most; one more displaces the one seen longest ago. */
  maxChattersPerStream: number;
}

/** A line's checks for one user in one stream at `now`. */
export type LineCheck = LineRules & { stream: string; userId: string; now: number };

export type LineVerdict =
  | { ok: true; first: boolean; returning: boolean }
  | { ok: false; code: LineRefusal; retryAfterMs?: number };

export type LineRefusal = 'r9k' | 'duplicate' | 'followers_only';
const LINE_REFUSALS: ReadonlySet<string> = new Set<LineRefusal>(['r9k', 'duplicate', 'followers_only']);

/** Whether a refusal came from the line's checks (the send itself passed and counts). */
export function isLineRefusal(code: string): code is LineRefusal {
  return LINE_REFUSALS.has(code);
}

/** A signed-in user seen in a stream (a join): the start of the account-age gate's clock. */
export interface Sighting {
  stream: string;
  userId: string;
  now: number;
  chatterKeepMs: number;
  maxChattersPerStream: number;
}

/**
 * With `line` checked, an accepted send says whether it is the user's first
 * line in the stream or a returning chatter's; `restricted`: the user's lines
 * reach only themselves and moderators (a shadow ban).
 */
export type SendVerdict =
  | { ok: true; first?: boolean; returning?: boolean; restricted?: true }
  | { ok: false; code: 'banned' | 'timed_out' | 'rate_limited' | 'slow_mode' | LineRefusal; retryAfterMs?: number }
  /** A moderator's warning the user has not acknowledged yet; `reason` is the moderator's. */
  | { ok: false; code: 'warned'; reason: string; retryAfterMs?: undefined };

/** What moderators decided about a user in a stream besides bans: a warning to acknowledge, a restriction. */
export interface Standing {
  warning: string | null;
  restricted: boolean;
}

/**
 * Shared state every gateway must agree on. The send check is one call so the
 * distributed implementation can answer it in one round trip (a Lua script);
 * it records the message in the user's rate window and slow-mode key only when
 * it returns ok.
 */
export interface StateStore {
  /**
   * With `line`, a send that passes is then checked against the stream's
   * memory in the same call: the user's sighting is recorded then, and the
   * line (its text for unique chat and duplicates, its time) only when the
   * line passes too. A send refused by the line checks still counts in the
   * rate windows, as any send that got that far.
   */
  checkSend(check: SendCheck): Promise<SendVerdict>;
  /** Records when the stream first saw the user, if it has no record of them yet. */
  noteSighting(sighting: Sighting): Promise<void>;
  /** When the stream first saw the user (a join or a line, ms), if it still remembers them at `now`; else null. */
  firstSeen(stream: string, userId: string, now: number): Promise<number | null>;

  getModes(stream: string): Promise<Modes>;
  /** Applies a partial change and returns the whole new Modes. */
  setModes(stream: string, change: Partial<Modes>): Promise<Modes>;

  getRules(stream: string): Promise<StreamRules>;
  setRules(stream: string, rules: StreamRules): Promise<void>;

  /** The broadcaster's emote and badge images (an extension); replaced whole. */
  getImages(stream: string): Promise<StreamImages>;
  setImages(stream: string, images: StreamImages): Promise<void>;

  /** Roles the broadcaster granted on the server, by user id (at most MAX_GRANTS_PER_STREAM users). */
  getGrants(stream: string): Promise<Map<string, GrantableRole[]>>;
  /** Sets a user's granted roles; an empty list revokes them all. Throws GrantLimitError beyond the bound. */
  setGrant(stream: string, userId: string, roles: GrantableRole[]): Promise<void>;

  /** Records (or refreshes) the roles a user's token claimed in a stream. */
  recordTokenRoles(record: TokenRolesRecord): Promise<void>;
  /** The roles last recorded for the user in the stream, if that record has not lapsed at `now`; else none. */
  getTokenRoles(stream: string, userId: string, now: number): Promise<Role[]>;

  /** The stream's pinned line, unless its `until` has passed at `now`. */
  getPin(stream: string, now: number): Promise<Pin | null>;
  /** Pins a line (replacing any other) or, with null, unpins; a pin with `until` lapses by itself then. */
  setPin(stream: string, pin: Pin | null): Promise<void>;

  getBan(stream: string, userId: string, now: number): Promise<Ban | null>;
  setBan(stream: string, userId: string, ban: Ban): Promise<void>;
  removeBan(stream: string, userId: string): Promise<boolean>;

  /** The user's warning and restriction; checkSend reads both in the same call as the ban. */
  getStanding(stream: string, userId: string): Promise<Standing>;
  /** Warns the user (replacing any warning): their sends are refused (`warned`) until clearWarning. */
  setWarning(stream: string, userId: string, reason: string): Promise<void>;
  /** The user acknowledged: whether there was a warning. */
  clearWarning(stream: string, userId: string): Promise<boolean>;
  /** Restricts the user (their lines reach only themselves and moderators) or lifts it. */
  setRestricted(stream: string, userId: string, restricted: boolean): Promise<void>;

  close(): Promise<void>;
}

/** Users with granted roles per stream; Twitch allows a few hundred moderators and VIPs. */
export const MAX_GRANTS_PER_STREAM = 1_000;

/** A grant to one more user than MAX_GRANTS_PER_STREAM. */
export class GrantLimitError extends Error {}
