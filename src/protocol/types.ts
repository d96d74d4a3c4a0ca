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

/** Someone a notice or a quote names: an id and a display name, no badges. */
export interface UserRef {
  id: string;
  name: string;
}

/** What a reply carries of the line it answers (an extension): a snapshot, kept even if the parent goes later. */
export interface ReplyParent {
  id: string;
  user: UserRef;
  /** The parent's text, cut to MAX_REPLY_EXCERPT code points (an ellipsis ends a cut one). */
  text: string;
  /** The first line of the thread: the parent's own parent's thread, else the parent itself. */
  thread: { id: string; user: UserRef };
}

/** Twitch's announcement colours (`msg-param-color`, upper-cased over IRC). */
export const ANNOUNCEMENT_COLORS = ['primary', 'blue', 'green', 'orange', 'purple'] as const;
export type AnnouncementColor = (typeof ANNOUNCEMENT_COLORS)[number];

/** The host site's notices (Twitch's USERNOTICE msg-ids). */
export const NOTICE_KINDS = ['sub', 'resub', 'subgift', 'submysterygift', 'raid'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export const SUB_PLANS = ['Prime', '1000', '2000', '3000'] as const;

/** A system notice from the host site (an extension): what happened, in the host's words, and its figures. */
export interface SystemNotice {
  kind: NoticeKind;
  /** The sentence every client shows (IRC `system-msg`). */
  system: string;
  /** resub: cumulative months. */
  months?: number;
  plan?: (typeof SUB_PLANS)[number];
  /** subgift: who received it. */
  recipient?: UserRef;
  /** submysterygift: how many gifts. */
  count?: number;
  /** raid: how many viewers came along. */
  viewers?: number;
}

export interface Message {
  id: string;
  stream: string;
  seq: number;
  ts: number;
  user: User;
  text: string;
  emotes?: Emote[];
  /** A reply (extension): the line it answers. */
  reply?: ReplyParent;
  /** A moderator's announcement (extension): shown highlighted in this colour. */
  announcement?: AnnouncementColor;
  /** A system notice from the host site (extension): `user` is who it is about, `text` their own words ('' for none). */
  notice?: SystemNotice;
  /** Added: the user's first line ever in this stream (IRC `first-msg=1`); absent otherwise. */
  first?: true;
  /** Added: the user's first line after a long silence in this stream (IRC `returning-chatter=1`); absent otherwise. */
  returning?: true;
  /** Added: a line that was held for review and approved by a moderator; absent otherwise. */
  reviewed?: true;
  /** Multi-region mode: the region that accepted it (docs/regions.md). */
  origin?: string;
}

/** A pinned line (extension): the message itself, who pinned it, and until when (ms; absent: until unpinned). */
export interface Pin {
  message: Message;
  by: UserRef;
  at: number;
  until?: number;
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
  /** The pinned line (extension); absent when none. */
  pinned?: Pin;
  /** Multi-region mode: distinct viewers per region (this one's, and each peer's latest register's). */
  viewersByRegion?: Record<string, number>;
  /** Multi-region mode, global ordering only: where the stream's global order stands on this region's gateway (docs/regions.md). */
  globalOrder?: GlobalOrderState;
}

/** A change of a stream's state as the bus carries it: `pinned: null` is an unpin. */
export type StateChange = Omit<Partial<StreamState>, 'pinned'> & { pinned?: Pin | null };

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
  'warned',
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
