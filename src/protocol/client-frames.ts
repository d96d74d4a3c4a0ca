import type { ValidateFunction } from 'ajv';
import { Type, type TSchema } from 'typebox';
import type { AnnouncementColor, GrantableRole, Modes, StreamRules } from './types.ts';
import { scanNonce, validNonce } from './nonce.ts';
import { clientJsonAjv, refusalSentence } from './refusal-sentence.ts';
import { FRAME_FIELDS, MOD_ACTION_FIELDS, NONCE_REFUSAL, type RulesChange } from './schemas.ts';

// The IRC commands name these bounds too (one value for every transport).
export { MAX_SLOW_SECONDS, MAX_TIMEOUT_SECONDS } from './schemas.ts';

// Inbound v1 frames, validated by the schemas of schemas.ts (the HTTP routes
// use the same ones): a frame either parses into one of these shapes or yields
// the sentence its `invalid` error will carry.

export type Nonce = string | number;

export type ModAction =
  | { action: 'delete'; id: string; reason?: string }
  | { action: 'timeout'; user: string; seconds: number; reason?: string }
  | { action: 'ban'; user: string; reason?: string }
  | { action: 'unban'; user: string }
  | { action: 'modes'; modes: Partial<Modes> }
  | { action: 'rules'; rules: StreamRules }
  | { action: 'approve'; id: string }
  | { action: 'deny'; id: string }
  | { action: 'grant' | 'revoke'; user: string; role: GrantableRole }
  | { action: 'pin'; id: string; seconds?: number }
  | { action: 'unpin' }
  | { action: 'warn'; user: string; reason: string }
  | { action: 'restrict' | 'unrestrict'; user: string }
  | { action: 'clear' };

/** What a send may carry besides its text (extensions): the line it answers, an announcement's colour. */
export interface SendOptions {
  parent?: string;
  announce?: AnnouncementColor;
}

export type ClientFrame =
  | { type: 'auth'; token: string; nonce?: Nonce }
  | { type: 'join'; stream: string; history?: number; since?: number; nonce?: Nonce }
  | { type: 'leave'; stream: string; nonce?: Nonce }
  | ({ type: 'send'; stream: string; text: string; nonce?: Nonce } & SendOptions)
  | ({ type: 'mod'; stream: string; nonce?: Nonce } & ModAction)
  | { type: 'ping'; nonce?: Nonce }
  /** Added: the user acknowledges a moderator's warning in the stream, so their sends are accepted again. */
  | { type: 'acknowledge'; stream: string; nonce?: Nonce };

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; message: string; nonce?: Nonce };

/** A stream's rules from a moderator's change: terms trimmed, what is left out off. Shared with the HTTP route. */
export function rulesOf(change: RulesChange): StreamRules {
  return {
    blockedTerms: (change.blockedTerms ?? []).map((term) => term.trim()),
    blockLinks: change.blockLinks ?? false,
    emotes: (change.emotes ?? []).map((name) => name.trim()),
  };
}

// Compiled once at start, like a regular expression: plain functions of a frame, no state.
const ajv = clientJsonAjv();
const compileObject = (fields: Record<string, TSchema>): ValidateFunction => ajv.compile(Type.Object(fields));
const frameValidators = validatorsOf(FRAME_FIELDS, compileObject);
const actionValidators = validatorsOf(MOD_ACTION_FIELDS, (fields) => compileObject({ ...FRAME_FIELDS.mod, ...fields }));
const ACTIONS_SENTENCE = `action must be one of ${Object.keys(MOD_ACTION_FIELDS).join(', ')}`;

function validatorsOf(table: Record<string, Record<string, TSchema>>, compile: (fields: Record<string, TSchema>) => ValidateFunction): Map<string, ValidateFunction> {
  return new Map(Object.entries(table).map(([name, fields]) => [name, compile(fields)]));
}

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
  const type = obj.type;
  const validate = typeof type === 'string' ? frameValidators.get(type) : undefined;
  if (validate === undefined) return refused(obj, typeof type === 'string' ? `unknown frame type "${type.slice(0, 32)}"` : 'frame has no type');
  // One validator call on the way in, the nonce's check included; the refusal path works out what to echo.
  if (!validate(obj)) return refused(obj, refusalSentence(validate.errors!));
  const nonce = obj.nonce as Nonce | undefined;
  if (type !== 'mod') return { ok: true, frame: frameOf(type as Exclude<ClientFrame['type'], 'mod'>, obj, nonce) };
  const validateAction = typeof obj.action === 'string' ? actionValidators.get(obj.action) : undefined;
  if (validateAction === undefined) return refused(obj, ACTIONS_SENTENCE);
  if (!validateAction(obj)) return refused(obj, refusalSentence(validateAction.errors!));
  return { ok: true, frame: { type: 'mod', stream: obj.stream as string, nonce, ...actionOf(obj) } };
}

/** A refusal with the frame's nonce; a bad nonce is the refusal itself (whatever else is wrong), and cannot be echoed. */
function refused(obj: Record<string, unknown>, message: string): Parsed {
  const nonce = validNonce(obj.nonce);
  if (obj.nonce !== undefined && nonce === undefined) return { ok: false, message: NONCE_REFUSAL };
  return { ok: false, message, nonce };
}

/** The frame of a validated object: only its own fields (a client's extra keys stay behind), null meaning not given. */
function frameOf(type: Exclude<ClientFrame['type'], 'mod'>, obj: Record<string, unknown>, nonce: Nonce | undefined): ClientFrame {
  switch (type) {
    case 'send': {
      const frame: ClientFrame = { type, stream: obj.stream as string, text: obj.text as string, nonce };
      if (obj.parent !== undefined) frame.parent = obj.parent as string;
      if (obj.announce !== undefined) frame.announce = obj.announce as AnnouncementColor;
      return frame;
    }
    case 'auth':
      return { type, token: obj.token as string, nonce };
    case 'join':
      return { type, stream: obj.stream as string, history: (obj.history ?? undefined) as number | undefined, since: (obj.since ?? undefined) as number | undefined, nonce };
    case 'leave':
    case 'acknowledge':
      return { type, stream: obj.stream as string, nonce };
    case 'ping':
      return { type, nonce };
  }
}

/** The action of a validated `mod` frame: the fields its schema names. */
function actionOf(obj: Record<string, unknown>): ModAction {
  const action = obj.action as keyof typeof MOD_ACTION_FIELDS;
  if (action === 'rules') return { action, rules: rulesOf(obj.rules as RulesChange) };
  const out: Record<string, unknown> = { action };
  // An optional field left out stays out (a `reason` is kept in the audit log only when given).
  for (const field of Object.keys(MOD_ACTION_FIELDS[action])) if (obj[field] !== undefined) out[field] = obj[field];
  return out as ModAction;
}
