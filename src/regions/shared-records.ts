// What a region shares with its peers besides its lines (docs/regions.md):
// its moderation decisions (the decisions topic) and its viewers'
// HyperLogLog registers (the viewers topic). Each region writes only its own
// into topics named after its log topic, which MirrorMaker 2 copies to every
// peer. Values are JSON; a peer's bytes are checked field by field.
import { DEFAULT_MODES, GRANTABLE_ROLES, MODE_NAMES, type GrantableRole, type Modes, type StreamRules, type UserRef } from '../protocol/types.ts';
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
  | { k: 'retract'; ids: string[]; reason?: string };

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
