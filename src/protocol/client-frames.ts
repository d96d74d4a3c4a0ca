import { GRANTABLE_ROLES, STREAM_NAME, type GrantableRole, type Modes, type StreamRules } from './types.ts';
import { MAX_NONCE_LENGTH, scanNonce, validNonce } from './nonce.ts';

// Inbound v1 frames, checked field by field: a frame either parses into one of
// these shapes or yields the sentence its `invalid` error will carry.

export type Nonce = string | number;

export type ModAction =
  | { action: 'delete'; id: string }
  | { action: 'timeout'; user: string; seconds: number }
  | { action: 'ban'; user: string }
  | { action: 'unban'; user: string }
  | { action: 'modes'; modes: Partial<Modes> }
  | { action: 'rules'; rules: StreamRules }
  | { action: 'approve'; id: string }
  | { action: 'deny'; id: string }
  | { action: 'grant' | 'revoke'; user: string; role: GrantableRole };

// Every frame may carry a nonce: a refusal echoes it (PROTOCOL.md names it for send, mod and ping).
export type ClientFrame =
  | { type: 'auth'; token: string; nonce?: Nonce }
  | { type: 'join'; stream: string; history?: number; since?: number; nonce?: Nonce }
  | { type: 'leave'; stream: string; nonce?: Nonce }
  | { type: 'send'; stream: string; text: string; nonce?: Nonce }
  | ({ type: 'mod'; stream: string; nonce?: Nonce } & ModAction)
  | { type: 'ping'; nonce?: Nonce };

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; message: string; nonce?: Nonce };

export const MAX_TIMEOUT_SECONDS = 1_209_600; // two weeks, as Twitch
export const MAX_SLOW_SECONDS = 86_400;
export const MAX_RULE_TERMS = 1_000;
export const MAX_RULE_TERM_LENGTH = 100;
export const MAX_STREAM_EMOTES = 500;

/** A frame or body that does not fit the protocol; its message is shown to the client as `invalid`. */
export class InvalidFrame extends Error {}

export function parseClientFrame(text: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Its nonce may still be readable: the refusal carries it.
    return { ok: false, message: 'frame is not valid JSON', nonce: scanNonce(text) };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, message: 'frame must be a JSON object' };
  const obj = data as Record<string, unknown>;
  const nonce = validNonce(obj.nonce);
  try {
    return { ok: true, frame: parseObject(obj, nonce) };
  } catch (err) {
    if (err instanceof InvalidFrame) return { ok: false, message: err.message, nonce };
    throw err;
  }
}

function parseObject(obj: Record<string, unknown>, nonce: Nonce | undefined): ClientFrame {
  if (obj.nonce !== undefined && nonce === undefined) throw new InvalidFrame(`nonce must be a string of at most ${MAX_NONCE_LENGTH} characters or a number`);
  switch (obj.type) {
    case 'auth':
      return { type: 'auth', token: string(obj, 'token', 8_192), nonce };
    case 'join':
      return {
        type: 'join',
        stream: stream(obj),
        history: optionalInt(obj, 'history', 0, Number.MAX_SAFE_INTEGER),
        since: optionalInt(obj, 'since', 0, Number.MAX_SAFE_INTEGER),
        nonce,
      };
    case 'leave':
      return { type: 'leave', stream: stream(obj), nonce };
    case 'send':
      // Length is judged after normalisation (code points); this bound only stops absurd frames early.
      return { type: 'send', stream: stream(obj), text: string(obj, 'text', 100_000), nonce };
    case 'mod':
      return { type: 'mod', stream: stream(obj), nonce, ...parseModAction(obj) };
    case 'ping':
      return { type: 'ping', nonce };
    default:
      throw new InvalidFrame(typeof obj.type === 'string' ? `unknown frame type "${obj.type.slice(0, 32)}"` : 'frame has no type');
  }
}

/** Shared by the WebSocket `mod` frame and the HTTP moderator routes. */
export function parseModAction(obj: Record<string, unknown>): ModAction {
  switch (obj.action) {
    case 'delete':
    case 'approve':
    case 'deny':
      return { action: obj.action, id: string(obj, 'id', 128) };
    case 'timeout':
      return { action: 'timeout', user: string(obj, 'user', 128), seconds: int(obj, 'seconds', 1, MAX_TIMEOUT_SECONDS) };
    case 'ban':
    case 'unban':
      return { action: obj.action, user: string(obj, 'user', 128) };
    case 'modes':
      return { action: 'modes', modes: parseModes(obj.modes) };
    case 'rules':
      return { action: 'rules', rules: parseRules(obj.rules) };
    case 'grant':
    case 'revoke':
      return { action: obj.action, user: string(obj, 'user', 128), role: grantableRole(obj.role) };
    default:
      throw new InvalidFrame('action must be one of delete, timeout, ban, unban, modes, rules, approve, deny, grant, revoke');
  }
}

export function parseModes(raw: unknown): Partial<Modes> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidFrame('modes must be an object');
  const obj = raw as Record<string, unknown>;
  const modes: Partial<Modes> = {};
  for (const key of Object.keys(obj)) {
    if (key === 'slowSeconds') modes.slowSeconds = int(obj, key, 0, MAX_SLOW_SECONDS);
    else if (key === 'subscribersOnly' || key === 'emoteOnly') modes[key] = bool(obj, key);
    else throw new InvalidFrame(`unknown mode "${key.slice(0, 32)}"`);
  }
  return modes;
}

export function parseRules(raw: unknown): StreamRules {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidFrame('rules must be an object');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== 'blockedTerms' && key !== 'blockLinks' && key !== 'emotes') throw new InvalidFrame(`unknown rule "${key.slice(0, 32)}"`);
  }
  return {
    blockedTerms: stringList(obj, 'blockedTerms', MAX_RULE_TERMS, MAX_RULE_TERM_LENGTH),
    blockLinks: obj.blockLinks === undefined ? false : bool(obj, 'blockLinks'),
    emotes: stringList(obj, 'emotes', MAX_STREAM_EMOTES, 64),
  };
}

function stream(obj: Record<string, unknown>): string {
  const s = obj.stream;
  if (typeof s !== 'string' || !STREAM_NAME.test(s)) throw new InvalidFrame('stream must be 1-64 characters of A-Z a-z 0-9 _ -');
  return s;
}

function grantableRole(raw: unknown): GrantableRole {
  if (!(GRANTABLE_ROLES as readonly unknown[]).includes(raw)) throw new InvalidFrame(`role must be one of ${GRANTABLE_ROLES.join(', ')}`);
  return raw as GrantableRole;
}

function string(obj: Record<string, unknown>, key: string, max: number): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new InvalidFrame(`${key} must be a string`);
  if (v.length === 0 || v.length > max) throw new InvalidFrame(`${key} must be 1-${max} characters`);
  return v;
}

function int(obj: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InvalidFrame(`${key} must be an integer from ${min} to ${max}`);
  return v;
}

function optionalInt(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  return obj[key] === undefined || obj[key] === null ? undefined : int(obj, key, min, max);
}

function bool(obj: Record<string, unknown>, key: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw new InvalidFrame(`${key} must be true or false`);
  return v;
}

function stringList(obj: Record<string, unknown>, key: string, maxItems: number, maxLength: number): string[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > maxItems) throw new InvalidFrame(`${key} must be a list of at most ${maxItems} strings`);
  const out: string[] = [];
  for (const item of v) {
    if (typeof item !== 'string' || item.trim().length === 0 || item.length > maxLength) {
      throw new InvalidFrame(`each of ${key} must be a non-empty string of at most ${maxLength} characters`);
    }
    out.push(item.trim());
  }
  return out;
}
