import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LineRules, SendVerdict, StateStore } from '../state/state.ts';
import type { Bus } from '../bus/bus.ts';
import type { Metrics } from '../observability/metrics.ts';
import { canModerate, rolesIn, userIn, type Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';
import { STREAM_NAME, type Message, type Modes, type ReplyParent, type Role, type StreamRules } from '../protocol/types.ts';
import type { SendOptions } from '../protocol/client-frames.ts';
import { normalizeText, refuseRawLength } from './text.ts';
import type { ContentRules } from './content-rules.ts';
import type { Verdict } from '../moderation/moderation-policy.ts';
import type { HeldMessages } from './held-messages.ts';
import type { GrantedRoles } from './granted-roles.ts';
import type { StreamSettings } from './stream-settings.ts';
import type { Broker, Draft } from '../broker/broker.ts';
import type { Sampler } from './sampler.ts';
import type { HotStreamAdmission } from './hot-stream-admission.ts';
import type { LatencyDoor } from '../limits/latency-door.ts';
import { backendError } from './backend-error.ts';
import { lineKey } from './line-key.ts';
import type { MessageLookup } from './message-lookup.ts';
import { MissingParent, replyTo } from './replies.ts';
import { publishRestricted, warnedRefusal } from './standing.ts';

export interface SendLimits {
  maxTextLength: number;
  rateLimitMessages: number;
  rateLimitPrivilegedMessages: number;
  rateLimitUserMessages: number;
  rateLimitWindowMs: number;
  maxInFlight: number;
  maxStreamRate: number;
  maxLoopLagMs: number;
}

/** The bounds of a stream's memory of lines and chatters (settings of the same names). */
export interface LineLimits {
  uniqueChatMaxLines: number;
  duplicateWindowMs: number;
  returningChatterAfterMs: number;
  chatterRetentionMs: number;
  chattersPerStream: number;
}

export interface Accepted {
  id: string;
  seq: number;
  ts: number;
  sampled: boolean;
  /** The sender as the message carries them: badges of the token's and the granted roles (IRC's USERSTATE). */
  user: Message['user'];
}

export interface ChatServiceDeps {
  limits: SendLimits;
  lineLimits: LineLimits;
  state: StateStore;
  content: ContentRules;
  sampler: Sampler;
  /** Refuses ordinary sends to a hot stream while this gateway is short of CPU. */
  admission: HotStreamAdmission;
  /** Refuses a share of ordinary sends while sends queue (src/limits/latency-door.ts). */
  door: LatencyDoor;
  broker: Broker;
  /** A restricted user's lines go on the bus only, never through the broker (standing.ts). */
  bus: Bus;
  held: HeldMessages;
  grants: GrantedRoles;
  settings: StreamSettings;
  /** Finds a reply's parent among the stream's displayable lines. */
  lookup: MessageLookup;
  metrics: Metrics;
  /** How late this process's event loop runs now (ms): observability/loop-lag.ts. */
  loopLagMs: () => number;
  now: () => number;
  /** Where a backing service's failure is logged; the sender gets only its reference (backend-error.ts). */
  logger: Logger;
}

const SUBSCRIBER_LIKE: readonly Role[] = ['subscriber', 'vip', 'moderator', 'broadcaster'];
/** What a sender refused by hot-stream admission is told to wait: about two of the sampler's one-second windows. */
const HOT_STREAM_RETRY_MS = 2_000;
/** What a sender turned away at the door while sends queue is told to wait. */
const DOOR_RETRY_MS = 1_000;
const OVERLOADED_TEXT = 'the server is overloaded; try again shortly';

/**
 * The message lifecycle of DESIGN.md, for one send: validate, modes,
 * moderation, bans / slow mode / rate limit, stamp, sample, store, publish.
 * Every refusal is a ChatError carrying its PROTOCOL.md code.
 */
export class ChatService {
  readonly #d: ChatServiceDeps;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(deps: ChatServiceDeps) {
    this.#d = deps;
  }

  /** Resolves once no send is being processed (the drain on shutdown waits for this). */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async send(identity: Identity | null, stream: string, rawText: string, options: SendOptions = {}): Promise<Accepted> {
    const started = performance.now();
    try {
      const accepted = await this.#send(identity, stream, rawText, options);
      this.#d.metrics.accepted.inc();
      if (!accepted.sampled) this.#d.metrics.broadcast.inc();
      this.#d.metrics.ingestLatency.observe((performance.now() - started) / 1000);
      return accepted;
    } catch (err) {
      if (!(err instanceof ChatError)) this.#d.metrics.refused.inc({ code: 'unavailable' });
      else this.#d.metrics.refused.inc(err.shedBy === undefined ? { code: err.code } : { code: err.code, shed_by: err.shedBy });
      throw err;
    }
  }

  async #send(tokenIdentity: Identity | null, stream: string, rawText: string, options: SendOptions): Promise<Accepted> {
    const d = this.#d;
    if (tokenIdentity === null) throw new ChatError('unauthorized', 'sign in (auth frame) to chat; anonymous viewers only read');
    if (!STREAM_NAME.test(stream)) throw new ChatError('invalid', 'stream must be 1-64 characters of A-Z a-z 0-9 _ -');
    const unread = refuseRawLength(rawText, d.limits.maxTextLength);
    if (unread !== undefined) throw new ChatError(unread.code, unread.message);
    if (this.#inFlight >= d.limits.maxInFlight) throw new ChatError('overloaded', OVERLOADED_TEXT, 1_000, 'in_flight');
    if (d.loopLagMs() > d.limits.maxLoopLagMs) throw new ChatError('overloaded', OVERLOADED_TEXT, 1_000, 'loop_lag');
    if (d.sampler.perSecond(stream, d.now()) >= d.limits.maxStreamRate) {
      throw new ChatError('overloaded', 'this chat is receiving more messages than it can take; try again shortly', 1_000, 'stream_rate');
    }
    // The token's roles only: the door comes before any backing-service work (granted roles are read from state).
    if (!d.door.admits(rolesIn(tokenIdentity, stream).length > 0)) throw new ChatError('overloaded', 'the server is busy: only some messages get through right now; try again shortly', DOOR_RETRY_MS, 'door');

    this.#inFlight++;
    const letIn = d.now();
    try {
      // The token's roles plus those granted on the server, and the stream's modes and rules: each read
      // at most every second or two per stream and gateway (stream-read-cache.ts), not per send.
      // A backing store that fails or answers too late is `unavailable` (retry shortly), as at the stamp.
      const [granted, { modes, rules, emotes: streamEmotes }] = await Promise.all([d.grants.effective(tokenIdentity, stream), d.settings.of(stream)]).catch((err: unknown) => this.#backendFailed(err, stream));
      const identity = granted!;
      const roles = rolesIn(identity, stream);
      const privileged = canModerate(identity, stream);
      if (modes.subscribersOnly && !roles.some((r) => SUBSCRIBER_LIKE.includes(r))) {
        throw new ChatError('subscribers_only', 'this chat is in subscribers-only mode');
      }
      if (options.announce !== undefined && !privileged) throw new ChatError('forbidden', 'only the broadcaster and moderators of this stream may announce');
      if (!d.admission.admits(stream, roles.length > 0, d.now())) {
        throw new ChatError('overloaded', 'this chat is very busy: only some messages get through right now', HOT_STREAM_RETRY_MS, 'hot_stream');
      }

      // The text's own checks run first but refuse only after the state call:
      // bans, slow mode and the rate limits still answer first, and a flood of
      // lines that normalisation or automod refuse is limited like any other
      // (from the state call on a send counts, whatever happens to it next).
      const content = await this.#content(stream, rawText, modes, rules, streamEmotes, privileged, options.parent);
      const now = d.now();
      // One call (one Redis round trip): the send's checks, then the line's
      // against the stream's memory, only for a line its own checks passed.
      const check = await d.state.checkSend({
        stream,
        userId: identity.id,
        now,
        slowSeconds: privileged ? 0 : modes.slowSeconds,
        rateMax: privileged ? d.limits.rateLimitPrivilegedMessages : d.limits.rateLimitMessages,
        rateWindowMs: d.limits.rateLimitWindowMs,
        userRateMax: d.limits.rateLimitUserMessages,
        line: content instanceof ChatError ? undefined : this.#lineRules(identity, content.text, modes, privileged),
      }).catch((err: unknown) => this.#backendFailed(err, stream));
      // The door watches the way to here (the role, mode and send-check reads): in global order the ack waits by
      // design for the hold (docs/regions.md), and a failed read is an outage, not a queue.
      d.door.observe(d.now() - letIn);
      if (!check.ok) throw check.code === 'warned' ? warnedRefusal(check.reason) : new ChatError(check.code, refusalText(check.code, modes), check.retryAfterMs);
      if (content instanceof ChatError) throw content;
      const { text, emotes, reply, verdict } = content;
      const user = userIn(identity, stream);
      const line = { first: check.first === true, returning: check.returning === true };
      const holdReason = verdict.action === 'hold' ? verdict.reason : modes.holdFirstMessages && line.first && !privileged ? 'first message in this chat' : undefined;
      if (holdReason !== undefined) {
        await d.held.hold({ stream, user, text, emotes, reply, reason: holdReason, heldAt: now, first: line.first, returning: line.returning })
          .catch((err: unknown) => this.#backendFailed(err, stream));
        throw new ChatError('held', 'your message is held for a moderator to review');
      }
      const accepted: Line = { stream, user, text, emotes, reply, announcement: options.announce, first: line.first, returning: line.returning };
      if (check.restricted === true) return await this.#restricted(accepted);
      return await this.#stampAndCommit(accepted, roles.length > 0);
    } finally {
      if (--this.#inFlight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /**
   * The line's checks that need nothing but the text and the stream's
   * settings: normalisation, emote-only, the reply's parent, automod. A
   * refusal is returned, not thrown, so the state call answers first.
   */
  async #content(stream: string, rawText: string, modes: Modes, rules: StreamRules, streamEmotes: readonly string[], privileged: boolean, parent: string | undefined): Promise<LineContent | ChatError> {
    const d = this.#d;
    const normal = normalizeText(rawText, d.limits.maxTextLength);
    if (!normal.ok) return new ChatError(normal.code, normal.message);
    const text = normal.text;
    const emotes = d.content.emotesIn(stream, text, streamEmotes);
    if (modes.emoteOnly && !privileged && !d.content.isEmoteOnly(stream, text, streamEmotes)) {
      return new ChatError('emote_only', 'this chat is in emote-only mode');
    }
    let reply: ReplyParent | undefined;
    try {
      reply = parent === undefined ? undefined : await this.#parent(stream, parent);
    } catch (err) {
      if (err instanceof MissingParent) return err;
      throw err;
    }
    const verdict = d.content.moderate(stream, text, rules, privileged);
    if (verdict.action === 'refuse') return new ChatError('blocked', verdict.reason);
    return { text, emotes, reply, verdict };
  }

  /**
   * Unique chat, the duplicate and the account-age gate, checked with the
   * send; the answer also says whether this is the user's first line in the
   * stream or a returning chatter's. The broadcaster and moderators are
   * exempt from the refusals (their first line is still marked).
   */
  #lineRules(identity: Identity, text: string, modes: Modes, privileged: boolean): LineRules {
    const limits = this.#d.lineLimits;
    return {
      textKey: lineKey(text),
      uniqueWindowMs: privileged ? 0 : modes.uniqueChatMinutes * 60_000,
      uniqueMaxLines: limits.uniqueChatMaxLines,
      duplicateWindowMs: privileged ? 0 : limits.duplicateWindowMs,
      knownForMs: privileged || modes.knownForMinutes < 0 ? -1 : modes.knownForMinutes * 60_000,
      knownSince: identity.knownSince,
      returningAfterMs: limits.returningChatterAfterMs,
      chatterKeepMs: limits.chatterRetentionMs,
      maxChattersPerStream: limits.chattersPerStream,
    };
  }

  /** A restricted user's line: acknowledged like any other (seq 0, never stored), seen by them and moderators only. */
  async #restricted(line: Line): Promise<Accepted> {
    const draft = this.#draftOf(line);
    await publishRestricted(this.#d.bus, draft).catch((err: unknown) => this.#backendFailed(err, line.stream));
    return { id: draft.id, seq: 0, ts: draft.ts, sampled: false, user: line.user };
  }

  /** Stamps id and ts, takes the sampling decision, and resolves once the broker has stamped and stored the message. */
  async #stampAndCommit(line: Line, priority: boolean): Promise<Accepted> {
    const d = this.#d;
    const draft = this.#draftOf(line);
    const { stream, ts } = draft;
    const sampled = !d.sampler.keep(stream, priority, ts);
    let message: Message;
    try {
      message = await d.broker.publish(draft, sampled);
    } catch (err) {
      throw backendError(d.logger, err, { stream });
    }
    d.sampler.observeSeq(stream, message.seq, d.now());
    return { id: message.id, seq: message.seq, ts, sampled, user: line.user };
  }

  /** The line as the broker takes it: a fresh id, the time now, and what it carries besides its text. */
  #draftOf(line: Line): Draft {
    const { stream, user, text, emotes } = line;
    const draft: Draft = { id: randomUUID(), stream, ts: this.#d.now(), user, text };
    if (emotes !== undefined && emotes.length > 0) draft.emotes = emotes;
    if (line.reply !== undefined) draft.reply = line.reply;
    if (line.announcement !== undefined) draft.announcement = line.announcement;
    if (line.first) draft.first = true;
    if (line.returning) draft.returning = true;
    if (line.reviewed === true) draft.reviewed = true;
    return draft;
  }

  /** The user acknowledges a moderator's warning (v1 `acknowledge`, HTTP, IRC): whether there was one. */
  async acknowledgeWarning(identity: Identity | null, stream: string): Promise<boolean> {
    if (identity === null) throw new ChatError('unauthorized', 'sign in to acknowledge a warning');
    return this.#d.state.clearWarning(stream, identity.id).catch((err: unknown) => this.#backendFailed(err, stream));
  }

  /**
   * The line a reply answers, as the reply carries it. It must be a
   * displayable line of the stream (`invalid` otherwise): looked up in this
   * gateway's recent lines, the log only for an older one (message-lookup.ts).
   */
  async #parent(stream: string, id: string): Promise<ReplyParent> {
    const parent = await this.#d.lookup.displayable(stream, id).catch((err: unknown) => this.#backendFailed(err, stream));
    if (parent === undefined) throw new MissingParent();
    return replyTo(parent);
  }

  /** A backing store failed or answered too late: `unavailable` (retry shortly), as at the stamp. */
  #backendFailed(err: unknown, stream: string): never {
    throw backendError(this.#d.logger, err, { stream });
  }

  /** A moderator releases a held message: it goes out as if just sent, skipping automod, marked as reviewed; the author is told. */
  async approveHeld(stream: string, id: string): Promise<Accepted> {
    const held = await this.#d.held.take(stream, id, this.#d.now(), 'approved').catch((err: unknown) => this.#backendFailed(err, stream));
    if (held === undefined) throw new ChatError('invalid', 'no such held message (it may have expired)');
    const accepted = await this.#stampAndCommit({ ...held, reviewed: true }, held.user.badges.length > 0);
    this.#d.held.settle(held, 'approved', accepted.seq);
    return accepted;
  }
}

/** A line on its way to the broker, with what it carries besides its text (the line it answers, an announcement's colour, its marks). */
/** A line that passed its own checks (#content), on its way to the state call. */
interface LineContent {
  text: string;
  emotes: Message['emotes'];
  reply: ReplyParent | undefined;
  verdict: Verdict;
}

type SendRefusal = Exclude<Extract<SendVerdict, { ok: false }>['code'], 'warned'>;

interface Line extends Pick<Message, 'reply' | 'announcement'> {
  stream: string;
  user: Message['user'];
  text: string;
  emotes: Message['emotes'];
  first: boolean;
  returning: boolean;
  reviewed?: boolean;
}

/** What the sender reads for a refusal of the state call (the send's checks, then the line's). */
function refusalText(code: SendRefusal, modes: Modes): string {
  switch (code) {
    case 'banned':
      return 'you are banned from this chat';
    case 'timed_out':
      return 'you are timed out in this chat';
    case 'rate_limited':
      return 'you are sending messages too quickly';
    case 'slow_mode':
      return 'this chat is in slow mode';
    case 'r9k':
      return 'this chat is in unique-chat mode and that message was sent recently';
    case 'duplicate':
      return 'that message is identical to the one you just sent';
    case 'followers_only':
      return `this chat accepts messages from users known here for at least ${modes.knownForMinutes} minutes`;
  }
}

