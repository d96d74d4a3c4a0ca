import { Type, type Static, type TSchema } from 'typebox';
import { MODLOG_TEXT_MAX } from './modlog-entry.ts';
import { ANNOUNCEMENT_COLORS, GRANTABLE_ROLES, NOTICE_KINDS, ORDERINGS, STREAM_NAME, SUB_PLANS } from './types.ts';

// The objects a client sends, described once: the WebSocket frame parser
// (client-frames.ts) and the HTTP routes (src/http/) validate with these same
// schemas, so a limit cannot differ between the two. `x-refusal` is the
// sentence an `invalid` refusal carries when a value fails its schema
// (refusal-sentence.ts reads it); it also shows in the OpenAPI document.

export const MAX_NONCE_LENGTH = 64;
export const MAX_TOKEN_LENGTH = 8_192;
export const MAX_ID_LENGTH = 128;
export const MAX_TIMEOUT_SECONDS = 1_209_600; // two weeks, as Twitch
export const MAX_SLOW_SECONDS = 86_400;
export const MAX_UNIQUE_CHAT_MINUTES = 1_440;
/** Three months, as Twitch's followers-only duration. */
export const MAX_KNOWN_FOR_MINUTES = 129_600;
export const MAX_CHAT_DELAY_SECONDS = 6;
export const MAX_RULE_TERMS = 1_000;
export const MAX_RULE_TERM_LENGTH = 100;
export const MAX_STREAM_EMOTES = 500;
export const MAX_EMOTE_NAME_LENGTH = 64;
/** A reply's quote of its parent, in code points. */
export const MAX_REPLY_EXCERPT = 100;
/** A pin lasts at most a day unless it has no expiry at all. */
export const MAX_PIN_SECONDS = 86_400;
export const MAX_NOTICE_SYSTEM_LENGTH = 200;
/** A moderator's warning, shown to the warned user (Twitch allows 500 characters). */
export const MAX_WARN_REASON_LENGTH = 500;

/** The sentence of an `invalid` refusal for a value that fails this schema. */
const refusal = (sentence: string) => ({ 'x-refusal': sentence });

/** A bounded, non-empty string whose refusal names its field. */
function boundedString(field: string, max: number, description?: string) {
  return Type.String({ minLength: 1, maxLength: max, description, ...refusal(`${field} must be a string of 1-${max} characters`) });
}

function boundedInteger(field: string, minimum: number, maximum: number) {
  return Type.Integer({ minimum, maximum, ...refusal(`${field} must be an integer from ${minimum} to ${maximum}`) });
}

function flag(field: string) {
  return Type.Boolean(refusal(`${field} must be true or false`));
}

/** A list of trimmed, non-blank strings; a blank one is refused rather than kept as a term that matches nothing. */
function termList(field: string, maxItems: number, maxLength: number, description?: string) {
  const term = Type.String({ maxLength, pattern: '\\S', ...refusal(`each of ${field} must be a non-empty string of at most ${maxLength} characters`) });
  return Type.Array(term, { maxItems, description, ...refusal(`${field} must be a list of at most ${maxItems} strings`) });
}

export const StreamName = Type.String({ pattern: STREAM_NAME.source, description: 'stream name', ...refusal('stream must be 1-64 characters of A-Z a-z 0-9 _ -') });

export const NONCE_REFUSAL = `nonce must be a string of at most ${MAX_NONCE_LENGTH} characters or a number`;
/** Echoed by the answer to a frame; JSON has no non-finite numbers, so every number is one. */
export const Nonce = Type.Union([Type.String({ maxLength: MAX_NONCE_LENGTH }), Type.Number()], refusal(NONCE_REFUSAL));

export const Token = boundedString('token', MAX_TOKEN_LENGTH);
/**
 * No length here: src/chat/text.ts judges it (too_long), the raw length first
 * and cheaply, before the text is read; a frame or body is bounded by maxFrameBytes.
 */
export const SendText = Type.String(refusal('text must be a string'));
export const MessageId = boundedString('id', MAX_ID_LENGTH, 'message id');
export const UserId = boundedString('user', MAX_ID_LENGTH, 'user id');
export const TimeoutSeconds = boundedInteger('seconds', 1, MAX_TIMEOUT_SECONDS);
/** Why a line was deleted or a user timed out or banned: kept in the audit log (extension). */
export const ModReason = Type.Optional(boundedString('reason', MODLOG_TEXT_MAX, 'why, kept in the audit log (extension)'));
export const AnnouncementColor = Type.Enum(ANNOUNCEMENT_COLORS, refusal(`announce must be one of ${ANNOUNCEMENT_COLORS.join(', ')}`));
export const PinSeconds = boundedInteger('seconds', 1, MAX_PIN_SECONDS);
export const WarnReason = boundedString('reason', MAX_WARN_REASON_LENGTH, "the warning the user must acknowledge (extension)");
export const GrantableRole = Type.Enum(GRANTABLE_ROLES, refusal(`role must be one of ${GRANTABLE_ROLES.join(', ')}`));

export const Modes = Type.Object({
  slowSeconds: boundedInteger('slowSeconds', 0, MAX_SLOW_SECONDS),
  subscribersOnly: flag('subscribersOnly'),
  emoteOnly: flag('emoteOnly'),
  uniqueChatMinutes: boundedInteger('uniqueChatMinutes', 0, MAX_UNIQUE_CHAT_MINUTES),
  knownForMinutes: boundedInteger('knownForMinutes', -1, MAX_KNOWN_FOR_MINUTES),
  chatDelaySeconds: boundedInteger('chatDelaySeconds', 0, MAX_CHAT_DELAY_SECONDS),
  holdFirstMessages: flag('holdFirstMessages'),
  ordering: Type.Optional(Type.Enum(ORDERINGS, refusal(`ordering must be one of ${ORDERINGS.join(', ')}`))),
});

/** A change of modes: only the modes named change. `x-unknown` names what an unknown key is in its refusal. */
export const ModesChange = Type.Partial(Modes, { additionalProperties: false, 'x-unknown': 'mode', ...refusal('modes must be an object') });

/** A stream's rules as a moderator sets them; what is left out is off (see rulesOf). */
export const RulesChange = Type.Object(
  {
    blockedTerms: Type.Optional(termList('blockedTerms', MAX_RULE_TERMS, MAX_RULE_TERM_LENGTH)),
    blockLinks: Type.Optional(flag('blockLinks')),
    emotes: Type.Optional(termList('emotes', MAX_STREAM_EMOTES, MAX_EMOTE_NAME_LENGTH, "the stream's own emote set (extension)")),
  },
  { additionalProperties: false, 'x-unknown': 'rule', ...refusal('rules must be an object') },
);

/** What each moderator action carries besides its name, for the `mod` frame; the HTTP routes reuse the pieces. */
export const MOD_ACTION_FIELDS = {
  delete: { id: MessageId, reason: ModReason },
  timeout: { user: UserId, seconds: TimeoutSeconds, reason: ModReason },
  ban: { user: UserId, reason: ModReason },
  unban: { user: UserId },
  modes: { modes: ModesChange },
  rules: { rules: RulesChange },
  approve: { id: MessageId },
  deny: { id: MessageId },
  grant: { user: UserId, role: GrantableRole },
  revoke: { user: UserId, role: GrantableRole },
  pin: { id: MessageId, seconds: Type.Optional(PinSeconds) },
  unpin: {},
  warn: { user: UserId, reason: WarnReason },
  restrict: { user: UserId },
  unrestrict: { user: UserId },
  clear: {},
} as const satisfies Record<string, Record<string, TSchema>>;

export type ModActionName = keyof typeof MOD_ACTION_FIELDS;

// The v1 frames a client sends (PROTOCOL.md). Other keys are ignored, as they always were.
// A union carries its sentence itself: Ajv reports a failed union last, after its branches' errors.
/** A position or count a client may also send as null (meaning: not given). */
function optionalCount(field: string) {
  return Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()], refusal(`${field} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`)));
}
// Every frame may carry a nonce: a refusal echoes it (PROTOCOL.md names it for send, mod and ping).
const nonce = Type.Optional(Nonce);
export const FRAME_FIELDS = {
  auth: { token: Token, nonce },
  join: { stream: StreamName, history: optionalCount('history'), since: optionalCount('since'), nonce },
  leave: { stream: StreamName, nonce },
  send: { stream: StreamName, text: SendText, parent: Type.Optional(boundedString('parent', MAX_ID_LENGTH, 'the id of the line this one replies to (extension)')), announce: Type.Optional(AnnouncementColor), nonce },
  mod: { stream: StreamName, nonce },
  acknowledge: { stream: StreamName, nonce },
  ping: { nonce },
} as const satisfies Record<string, Record<string, TSchema>>;

export type FrameType = keyof typeof FRAME_FIELDS;

export type RulesChange = Static<typeof RulesChange>;

/** Someone a notice names: the host site's user id and login-like name, as tokens carry them. */
const NoticeUser = (field: string) => Type.Object({
  id: boundedString(`${field}.id`, MAX_ID_LENGTH),
  name: Type.String({ pattern: '^[A-Za-z0-9_]{1,25}$', ...refusal(`${field}.name must be 1-25 characters of A-Z a-z 0-9 _`) }),
}, { additionalProperties: false, ...refusal(`${field} must be an object with id and name`) });

/** The host site's system notice (POST /api/streams/:s/notices): `text` is the user's own words, judged like a chat line. */
export const NoticeBody = Type.Object({
  kind: Type.Enum(NOTICE_KINDS, refusal(`kind must be one of ${NOTICE_KINDS.join(', ')}`)),
  user: NoticeUser('user'),
  system: boundedString('system', MAX_NOTICE_SYSTEM_LENGTH, 'the sentence every client shows (IRC system-msg)'),
  text: Type.Optional(SendText),
  months: Type.Optional(boundedInteger('months', 1, 1_200)),
  plan: Type.Optional(Type.Enum(SUB_PLANS, refusal(`plan must be one of ${SUB_PLANS.join(', ')}`))),
  recipient: Type.Optional(NoticeUser('recipient')),
  count: Type.Optional(boundedInteger('count', 1, 10_000)),
  viewers: Type.Optional(boundedInteger('viewers', 0, 100_000_000)),
}, { additionalProperties: false, 'x-unknown': 'field', ...refusal('a notice must be an object') });
export type NoticeBody = Static<typeof NoticeBody>;
