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
  'overloaded',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const DEFAULT_MODES: Readonly<Modes> = Object.freeze({ slowSeconds: 0, subscribersOnly: false, emoteOnly: false });
export const DEFAULT_RULES: Readonly<StreamRules> = Object.freeze({ blockedTerms: [], blockLinks: false, emotes: [] });

export const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
