// The v1 wire objects of PROTOCOL.md. Everything that crosses a socket or an
// HTTP body is one of these shapes; the rest of the code speaks them too.

export const ROLES = ['broadcaster', 'moderator', 'vip', 'subscriber'] as const;
export type Role = (typeof ROLES)[number];

/** Roles the broadcaster may grant on the server (extension; the others come only from tokens). */
export const GRANTABLE_ROLES = ['moderator', 'vip'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export interface User {
  id: string;
  name: string;
  color?: string;
  badges: Role[];
}

export interface Emote {
  name: string;
  start: number;
  end: number;
}

export interface Message {
  id: string;
  stream: string;
  seq: number;
  ts: number;
  user: User;
  text: string;
  emotes?: Emote[];
  /** Added: the user's first line ever in this stream (IRC `first-msg=1`); absent otherwise. */
  first?: true;
  /** Added: the user's first line after a long silence in this stream (IRC `returning-chatter=1`); absent otherwise. */
  returning?: true;
  /** Added: a line that was held for review and approved by a moderator; absent otherwise. */
  reviewed?: true;
  /** Multi-region mode: the region that accepted it (docs/regions.md). */
  origin?: string;
}

export const ORDERINGS = ['regional', 'global'] as const;
/** How a stream orders lines across regions (docs/regions.md). */
export type Ordering = (typeof ORDERINGS)[number];

export interface Modes {
  slowSeconds: number;
  subscribersOnly: boolean;
  emoteOnly: boolean;
  /** Added (unique chat, IRC `r9k`): a line whose folded text was sent in the stream in the last N minutes is refused; 0 is off. */
  uniqueChatMinutes: number;
  /** Added (IRC `followers-only`): only users known to the stream for at least N minutes may chat; -1 is off. */
  knownForMinutes: number;
  /** Added: viewers other than the broadcaster and moderators see lines this many seconds late (1-6); 0 is off. */
  chatDelaySeconds: number;
  /** Added: a user's first line ever in the stream is held for a moderator's review. */
  holdFirstMessages: boolean;
  /** Absent until set; shown as `regional` in multi-region mode when absent. */
  ordering?: Ordering;
}

/** Where a stream in global order stands (multi-region mode, `modes.ordering` global). */
export interface GlobalOrderState {
  /** Some region's watermark stopped past the hold bound: lines go out without waiting for it. */
  degraded: boolean;
  /** The regions left out of the wait, sorted; empty when not degraded. */
  leftOut: string[];
}

export interface RateState {
  perSecond: number;
  sampling: boolean;
  keepRatio: number;
}

export interface StreamState {
  /** Distinct viewers; in multi-region mode over every region (their HyperLogLogs merged). */
  viewers: number;
  modes: Modes;
  rate: RateState;
  /** Multi-region mode: distinct viewers per region (designed; not sent yet, docs/regions.md "Status"). */
  viewersByRegion?: Record<string, number>;
  /** Multi-region mode, global ordering only (designed; not sent yet, docs/regions.md "Status"). */
  globalOrder?: GlobalOrderState;
}

/** A stream's own moderation rules (PROTOCOL.md `rules`), plus its emote set (an extension). */
export interface StreamRules {
  blockedTerms: string[];
  blockLinks: boolean;
  emotes: string[];
}

export const ERROR_CODES = [
  'invalid',
  'too_long',
  'unauthorized',
  'forbidden',
  'not_joined',
  'rate_limited',
  'slow_mode',
  'subscribers_only',
  'emote_only',
  'banned',
  'timed_out',
  'blocked',
  'held',
  'r9k',
  'duplicate',
  'followers_only',
  'overloaded',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const DEFAULT_MODES: Readonly<Modes> = Object.freeze({
  slowSeconds: 0,
  subscribersOnly: false,
  emoteOnly: false,
  uniqueChatMinutes: 0,
  knownForMinutes: -1,
  chatDelaySeconds: 0,
  holdFirstMessages: false,
});
export const DEFAULT_RULES: Readonly<StreamRules> = Object.freeze({ blockedTerms: [], blockLinks: false, emotes: [] });

/** Every mode's name: those with a default, and `ordering`, which is absent until set. */
export const MODE_NAMES: readonly (keyof Modes)[] = [...(Object.keys(DEFAULT_MODES) as Array<keyof Modes>), 'ordering'];

/** `current` with `change` applied field by field, so stray keys of a parsed request body never get stored. */
export function changedModes(current: Readonly<Modes>, change: Partial<Modes>): Modes {
  const modes = { ...current };
  for (const key of MODE_NAMES) {
    if (change[key] !== undefined) (modes as Record<keyof Modes, unknown>)[key] = change[key];
  }
  return modes;
}

export const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
