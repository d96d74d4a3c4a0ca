// What a region shares with its peers besides its lines (docs/regions.md):
// its moderation decisions and held lines (the decisions topic) and its viewers'
// HyperLogLog registers (the viewers topic). Each region writes only its own
// into topics named after its log topic, which MirrorMaker 2 copies to every
// peer. Values are JSON; a peer's bytes are checked field by field.
import type { HeldMessage, TakenFor } from '../held/held-store.ts';
import { DEFAULT_MODES, GRANTABLE_ROLES, MODE_NAMES, ROLES, type Emote, type GrantableRole, type Modes, type ReplyParent, type Role, type StreamRules, type User, type UserRef } from '../protocol/types.ts';
import { parseHlc } from './hlc.ts';

export function decisionsTopic(logTopic: string): string {
  return `${logTopic}.decisions`;
}

export function viewersTopic(logTopic: string): string {
  return `${logTopic}.viewers`;
}

/** What a decision changes: a user's ban state, modes (each on its own), the rules (whole), or lines (a retraction). */
export type DecisionChange =
  | { k: 'ban'; user: string; until: number | null }
  | { k: 'unban'; user: string }
  | { k: 'modes'; modes: Partial<Modes> }
  | { k: 'rules'; rules: StreamRules }
  /** A user's granted roles, whole: an empty list revokes them all. */
  | { k: 'grant'; user: string; roles: GrantableRole[] }
  /** A moderator's warning; `reason` null: the user acknowledged it. */
  | { k: 'warn'; user: string; reason: string | null }
  | { k: 'restrict'; user: string; restricted: boolean }
  /** A pin names its line by id (each region shows its own copy, with its own seq); null unpins. */
  | { k: 'pin'; pin: SharedPin | null }
  /** `reason` is what the `retract` frame says; absent for a ban's lines (its `clear` says it). */
  | { k: 'retract'; ids: string[]; reason?: string }
  /** A line held for a moderator here: the peers' moderators see and may review it too. */
  | { k: 'held'; held: HeldMessage }
  /** A held line a moderator here approved or denied: it leaves every region's queue. */
  | { k: 'reviewed'; heldId: string; outcome: TakenFor };

/** A pin as it crosses regions: the line's id instead of the line. */
export interface SharedPin {
  id: string;
  by: UserRef;
  at: number;
  until?: number;
}

/** A moderation decision as it crosses regions: made in `origin` at `hlc` (text form), once by `id`. */
export type Decision = DecisionChange & { id: string; origin: string; hlc: string; stream: string };

/** One region's viewers of a stream: its current and previous windows merged, the raw register in base64. */
export interface ViewerRegister {
  origin: string;
  stream: string;
  /** When the origin read the register (its clock): a stale one is not used. */
  at: number;
  hll: string;
}

/** Ids (or terms) one record carries at most. */
export const MAX_IDS_PER_RECORD = 1_000;
const MAX_TEXT = 512;

export function encodeShared(record: Decision | ViewerRegister): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeDecision(value: Buffer | null): Decision | undefined {
  const r = parse(value);
  if (r === undefined || !isText(r.id) || !isText(r.origin) || !isText(r.stream) || typeof r.hlc !== 'string' || parseHlc(r.hlc) === undefined) return undefined;
  const base = { id: r.id, origin: r.origin, hlc: r.hlc, stream: r.stream };
  switch (r.k) {
    case 'ban':
      return isText(r.user) && (r.until === null || Number.isFinite(r.until)) ? { ...base, k: 'ban', user: r.user, until: r.until as number | null } : undefined;
    case 'unban':
      return isText(r.user) ? { ...base, k: 'unban', user: r.user } : undefined;
    case 'modes': {
      const modes = checkedModes(r.modes);
      return modes === undefined ? undefined : { ...base, k: 'modes', modes };
    }
    case 'rules': {
      const rules = r.rules as Record<string, unknown> | null;
      if (typeof rules !== 'object' || rules === null || !isTexts(rules.blockedTerms, MAX_IDS_PER_RECORD) || typeof rules.blockLinks !== 'boolean' || !isTexts(rules.emotes, MAX_IDS_PER_RECORD)) return undefined;
      return { ...base, k: 'rules', rules: { blockedTerms: rules.blockedTerms, blockLinks: rules.blockLinks, emotes: rules.emotes } };
    }
    case 'grant':
      return isText(r.user) && Array.isArray(r.roles) && r.roles.every((role) => (GRANTABLE_ROLES as readonly unknown[]).includes(role))
        ? { ...base, k: 'grant', user: r.user, roles: r.roles as GrantableRole[] }
        : undefined;
    case 'warn':
      return isText(r.user) && (r.reason === null || typeof r.reason === 'string') && (r.reason === null || r.reason.length <= MAX_TEXT)
        ? { ...base, k: 'warn', user: r.user, reason: r.reason }
        : undefined;
    case 'restrict':
      return isText(r.user) && typeof r.restricted === 'boolean' ? { ...base, k: 'restrict', user: r.user, restricted: r.restricted } : undefined;
    case 'pin': {
      if (r.pin === null) return { ...base, k: 'pin', pin: null };
      const pin = checkedPin(r.pin);
      return pin === undefined ? undefined : { ...base, k: 'pin', pin };
    }
    case 'retract':
      if (!isTexts(r.ids, MAX_IDS_PER_RECORD) || (r.reason !== undefined && !isText(r.reason))) return undefined;
      return r.reason === undefined ? { ...base, k: 'retract', ids: r.ids } : { ...base, k: 'retract', ids: r.ids, reason: r.reason };
    case 'held': {
      const held = checkedHeld(r.held, r.stream);
      return held === undefined ? undefined : { ...base, k: 'held', held };
    }
    case 'reviewed':
      return isText(r.heldId) && (r.outcome === 'approved' || r.outcome === 'denied') ? { ...base, k: 'reviewed', heldId: r.heldId, outcome: r.outcome } : undefined;
    default:
      return undefined;
  }
}

export function decodeViewerRegister(value: Buffer | null): ViewerRegister | undefined {
  const r = parse(value);
  if (r === undefined || !isText(r.origin) || !isText(r.stream) || !Number.isFinite(r.at) || typeof r.hll !== 'string') return undefined;
  return { origin: r.origin, stream: r.stream, at: r.at as number, hll: r.hll };
}

/** The modes a change sets, without stray keys (a parsed request body may carry some), so a peer takes the record whole. */
export function modesSet(change: Partial<Modes>): Partial<Modes> {
  const modes: Record<string, unknown> = {};
  for (const mode of MODE_NAMES) if (change[mode] !== undefined) modes[mode] = change[mode];
  return modes as Partial<Modes>;
}

// A held line's text: well over any maxTextLength a deployment sets (500 by default).
const MAX_LINE = 10_000;

/** A peer's held line, field by field (its stream is the record's). */
function checkedHeld(value: unknown, stream: string): HeldMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Record<string, unknown>;
  const user = checkedUser(h.user);
  if (!isText(h.id) || h.stream !== stream || user === undefined || typeof h.text !== 'string' || h.text.length > MAX_LINE || !isText(h.reason)) return undefined;
  if (!Number.isFinite(h.heldAt) || typeof h.first !== 'boolean' || typeof h.returning !== 'boolean') return undefined;
  const emotes = h.emotes === undefined ? undefined : checkedEmotes(h.emotes);
  if (h.emotes !== undefined && emotes === undefined) return undefined;
  const reply = h.reply === undefined ? undefined : checkedReply(h.reply);
  if (h.reply !== undefined && reply === undefined) return undefined;
  const held: HeldMessage = { id: h.id, stream, user, text: h.text, emotes, reason: h.reason, heldAt: h.heldAt as number, first: h.first, returning: h.returning };
  if (reply !== undefined) held.reply = reply;
  return held;
}

function checkedUser(value: unknown): User | undefined {
  const ref = checkedRef(value);
  const badges = (value as Record<string, unknown> | null)?.badges;
  if (ref === undefined || !Array.isArray(badges) || !badges.every((b) => (ROLES as readonly unknown[]).includes(b))) return undefined;
  return { ...ref, badges: badges as Role[] };
}

function checkedRef(value: unknown): UserRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const u = value as Record<string, unknown>;
  return isText(u.id) && isText(u.name) ? { id: u.id, name: u.name } : undefined;
}

function checkedEmotes(value: unknown): Emote[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_IDS_PER_RECORD) return undefined;
  const emotes: Emote[] = [];
  for (const e of value as Array<Record<string, unknown> | null>) {
    if (typeof e !== 'object' || e === null || !isText(e.name) || !Number.isInteger(e.start) || !Number.isInteger(e.end)) return undefined;
    emotes.push({ name: e.name, start: e.start as number, end: e.end as number });
  }
  return emotes;
}

function checkedReply(value: unknown): ReplyParent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const user = checkedRef(r.user);
  const thread = r.thread as Record<string, unknown> | null;
  const threadUser = typeof thread === 'object' && thread !== null ? checkedRef(thread.user) : undefined;
  if (!isText(r.id) || user === undefined || typeof r.text !== 'string' || r.text.length > MAX_LINE || threadUser === undefined || !isText(thread!.id)) return undefined;
  return { id: r.id, user, text: r.text, thread: { id: thread!.id, user: threadUser } };
}

function checkedPin(value: unknown): SharedPin | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  const by = p.by as Record<string, unknown> | null;
  if (!isText(p.id) || typeof by !== 'object' || by === null || !isText(by.id) || !isText(by.name) || !Number.isFinite(p.at)) return undefined;
  if (p.until !== undefined && !Number.isFinite(p.until)) return undefined;
  const pin: SharedPin = { id: p.id, by: { id: by.id, name: by.name }, at: p.at as number };
  if (p.until !== undefined) pin.until = p.until as number;
  return pin;
}

/** Only known modes, each of its own type (ordering one of its two values). */
function checkedModes(value: unknown): Partial<Modes> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const modes: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(MODE_NAMES as readonly string[]).includes(key)) return undefined;
    const ok = key === 'ordering' ? v === 'regional' || v === 'global' : typeof v === typeof DEFAULT_MODES[key as keyof typeof DEFAULT_MODES];
    if (!ok) return undefined;
    modes[key] = v;
  }
  return modes as Partial<Modes>;
}

function parse(value: Buffer | null): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  try {
    const r: unknown = JSON.parse(value.toString('utf8'));
    return typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
}

function isTexts(v: unknown, max: number): v is string[] {
  return Array.isArray(v) && v.length <= max && v.every((s) => typeof s === 'string' && s.length <= MAX_TEXT);
}
