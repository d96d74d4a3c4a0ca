import type { ErrorObject } from 'ajv';
import { ChatError, httpStatusOf } from '../../protocol/errors.ts';
import type { ErrorCode } from '../../protocol/types.ts';
import { refusalSentence } from '../../protocol/refusal-sentence.ts';
import { HierarchyRefusal } from '../../chat/moderation-hierarchy.ts';
import { NoSuchMessage } from '../../chat/moderator-actions.ts';

// Refusals in Google's error envelope, as YouTube's own clients read them:
// {"error":{"code","message","errors":[{"domain","reason","message"}]}}.
// docs/youtube.md has the table of Chorus codes and YouTube reasons.

/** A refusal the YouTube layer names itself (a page token or resource id it cannot read). */
export class YouTubeError extends Error {
  readonly status: number;
  readonly domain: string;
  readonly reason: string;
  /** From a Chorus refusal that says when to try again: the Retry-After header. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, domain: string, reason: string, message: string, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.domain = domain;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface YouTubeErrorBody {
  error: { code: number; message: string; errors: Array<{ domain: string; reason: string; message: string }> };
}

/** Which resource a refusal is about: `forbidden` has a reason of its own on each. */
export type Resource = 'messages' | 'bans' | 'moderators';

const LIVE_CHAT = 'youtube.liveChat';
const GLOBAL = 'global';
const TEXT: [string, string] = [LIVE_CHAT, 'messageTextInvalid'];
const FORBIDDEN: [string, string] = [GLOBAL, 'forbidden'];
const RATE: [string, string] = [LIVE_CHAT, 'rateLimitExceeded'];

/** Each Chorus refusal's domain and reason; the status stays Chorus's (errors.ts). */
const REASONS: Record<ErrorCode, [string, string]> = {
  invalid: [GLOBAL, 'invalidValue'],
  not_joined: [GLOBAL, 'invalidValue'],
  too_long: TEXT,
  blocked: TEXT,
  held: TEXT,
  r9k: TEXT,
  duplicate: TEXT,
  emote_only: TEXT,
  unauthorized: [GLOBAL, 'authError'],
  forbidden: FORBIDDEN,
  subscribers_only: FORBIDDEN,
  banned: FORBIDDEN,
  timed_out: FORBIDDEN,
  followers_only: FORBIDDEN,
  warned: FORBIDDEN,
  rate_limited: RATE,
  slow_mode: RATE,
  overloaded: [GLOBAL, 'backendError'],
  unavailable: [GLOBAL, 'backendError'],
};

/** A moderator refused for their standing, per resource; a viewer moderating at all, on bans. */
const HIERARCHY: Record<Resource, string> = { messages: 'modificationNotAllowed', bans: 'liveChatBanInsertionNotAllowed', moderators: 'forbidden' };

/** A Chorus refusal as YouTube words it, with Chorus's status (rate limits are 429 on both). */
export function fromChatError(err: ChatError, resource: Resource): YouTubeError {
  if (err instanceof NoSuchMessage) return new YouTubeError(404, LIVE_CHAT, 'liveChatMessageNotFound', err.message);
  if (err instanceof HierarchyRefusal) return new YouTubeError(403, LIVE_CHAT, HIERARCHY[resource], err.message);
  const [domain, reason] = err.code === 'forbidden' && resource === 'bans' ? [LIVE_CHAT, 'insufficientPermissions'] : REASONS[err.code];
  return new YouTubeError(httpStatusOf(err.code), domain, reason, err.message, err.retryAfterMs);
}

/** A field whose absence or bad value YouTube names on its own (liveChatIdRequired, invalidLiveChatId). */
const FIELD_REASONS: Record<string, { required: string; invalid: string }> = {
  liveChatId: { required: 'liveChatIdRequired', invalid: 'invalidLiveChatId' },
  messageText: { required: 'messageTextRequired', invalid: 'messageTextInvalid' },
  type: { required: 'typeRequired', invalid: 'invalidValue' },
  channelId: { required: 'bannedUserChannelIdRequired', invalid: 'invalidChannelId' },
};

/**
 * A request that failed its schema, under YouTube's reason for that field; the
 * message names the field as YouTube spells it, then Chorus's sentence for it
 * (a liveChatId is judged as a stream name, a messageText as a text).
 */
export function fromValidation(errors: readonly ErrorObject[], where: string | undefined): YouTubeError {
  const last = errors[errors.length - 1]!;
  const path = last.instancePath.split('/').filter((p) => p !== '');
  if (last.keyword === 'required') {
    const missing = (last.params as { missingProperty: string }).missingProperty;
    return new YouTubeError(400, GLOBAL, FIELD_REASONS[missing]?.required ?? 'required', `${[...path, missing].join('.')} is required`);
  }
  const field = path[path.length - 1] ?? where ?? '';
  const sentence = refusalSentence(errors, where);
  const message = field !== '' && sentence.startsWith(field) ? sentence : `${path.join('.') || where}: ${sentence}`;
  return new YouTubeError(400, GLOBAL, FIELD_REASONS[field]?.invalid ?? 'invalidValue', message);
}

export function bodyOf(err: YouTubeError): YouTubeErrorBody {
  return { error: { code: err.status, message: err.message, errors: [{ domain: err.domain, reason: err.reason, message: err.message }] } };
}
