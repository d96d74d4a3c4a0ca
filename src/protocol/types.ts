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
}

export interface Modes {
  slowSeconds: number;
  subscribersOnly: boolean;
  emoteOnly: boolean;
}

export interface RateState {
  perSecond: number;
  sampling: boolean;
  keepRatio: number;
}

export interface StreamState {
  viewers: number;
  modes: Modes;
  rate: RateState;
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
