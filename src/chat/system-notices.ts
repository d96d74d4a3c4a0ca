import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Broker, Draft } from '../broker/broker.ts';
import { ChatError } from '../protocol/errors.ts';
import { MAX_NOTICE_SYSTEM_LENGTH, type NoticeBody } from '../protocol/schemas.ts';
import type { Message, SystemNotice } from '../protocol/types.ts';
import { backendError } from './backend-error.ts';
import { normalizeText } from './text.ts';

export interface SystemNoticesDeps {
  broker: Broker;
  maxTextLength: number;
  now: () => number;
  logger: Logger;
}

/**
 * The host site's system notices (a subscription, a raid, a gift): stored
 * and numbered like chat lines, so history, resumes and replay carry them,
 * and never sampled out. The host site is trusted (its call is
 * authenticated as an operator's), so no chat check applies: no rate limit,
 * mode or automod; only the bounds of the body and the text's normal form.
 */
export class SystemNotices {
  readonly #d: SystemNoticesDeps;

  constructor(deps: SystemNoticesDeps) {
    this.#d = deps;
  }

  async publish(stream: string, body: NoticeBody): Promise<Message> {
    const d = this.#d;
    const text = body.text === undefined ? '' : wordsOf(body.text, d.maxTextLength, 'text');
    const notice = noticeOf(body, wordsOf(body.system, MAX_NOTICE_SYSTEM_LENGTH, 'system'));
    if (notice.system === '') throw new ChatError('invalid', 'system must not be blank');
    const draft: Draft = { id: randomUUID(), stream, ts: d.now(), user: { id: body.user.id, name: body.user.name, badges: [] }, text, notice };
    try {
      return await d.broker.publish(draft, false);
    } catch (err) {
      throw backendError(d.logger, err, { stream });
    }
  }

}

/** Text in the normal form of a chat line (nothing invisible, no line breaks); blank is ''. */
function wordsOf(raw: string, max: number, field: string): string {
  const normal = normalizeText(raw, max);
  if (normal.ok) return normal.text;
  if (normal.code === 'invalid') return '';
  throw new ChatError(normal.code, `${field}: ${normal.message}`);
}

/** Only the fields the kind's clients read, in a fixed order. */
function noticeOf(body: NoticeBody, system: string): SystemNotice {
  const notice: SystemNotice = { kind: body.kind, system };
  if (body.months !== undefined) notice.months = body.months;
  if (body.plan !== undefined) notice.plan = body.plan;
  if (body.recipient !== undefined) notice.recipient = { id: body.recipient.id, name: body.recipient.name };
  if (body.count !== undefined) notice.count = body.count;
  if (body.viewers !== undefined) notice.viewers = body.viewers;
  return notice;
}
