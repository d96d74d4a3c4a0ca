// Lifecycle step 5, synchronous moderation: one message against the
// server-wide rules (from config) and its stream's own rules. Everything is
// compiled ahead: the server-wide lists when the policy is built, a stream's
// list the first time it is seen and again only when it changes.
import type { StreamRules } from '../protocol/types.ts';
import { compileContactPatterns, hasEmail, hasLink, hasPhone } from './contact-patterns.ts';
import { foldMessage, type FoldedText } from './fold.ts';
import { sameStrings, StreamCache } from './stream-cache.ts';
import { TermMatcher } from './term-matcher.ts';

export interface ServerModerationConfig {
  blockedTerms: readonly string[];
  heldTerms: readonly string[];
  blockLinks: boolean;
  blockPhones: boolean;
  blockEmails: boolean;
}

export type StreamModerationRules = Pick<StreamRules, 'blockedTerms' | 'blockLinks'>;

/** Which rule decided; for metrics and logs. Never the matched term itself. */
export type ModerationRule = 'server_term' | 'stream_term' | 'link' | 'phone' | 'email' | 'held_term';

/** `reason` may be shown to the sender (refuse) or to moderators (hold): it names the kind of rule, never the term. */
export type Verdict =
  | { action: 'allow' }
  | { action: 'refuse'; reason: string; rule: Exclude<ModerationRule, 'held_term'> }
  | { action: 'hold'; reason: string; rule: 'held_term' };

export const DEFAULT_CACHED_STREAMS = 4096;

const ALLOW: Verdict = Object.freeze({ action: 'allow' });
const VERDICTS = Object.freeze({
  server_term: Object.freeze({ action: 'refuse', rule: 'server_term', reason: 'your message contains a word that is not allowed here' }),
  stream_term: Object.freeze({ action: 'refuse', rule: 'stream_term', reason: 'your message contains a word this channel does not allow' }),
  link: Object.freeze({ action: 'refuse', rule: 'link', reason: 'links are not allowed in this chat' }),
  phone: Object.freeze({ action: 'refuse', rule: 'phone', reason: 'phone numbers are not allowed in this chat' }),
  email: Object.freeze({ action: 'refuse', rule: 'email', reason: 'e-mail addresses are not allowed in this chat' }),
  held_term: Object.freeze({ action: 'hold', rule: 'held_term', reason: 'contains a word that moderators review before it is shown' }),
} satisfies Record<ModerationRule, Verdict>);

interface CompiledStreamRules {
  terms: TermMatcher;
  blockLinks: boolean;
}

export class ModerationPolicy {
  readonly #config: ServerModerationConfig;
  readonly #blocked: TermMatcher;
  readonly #held: TermMatcher;
  readonly #streams: StreamCache<StreamModerationRules, CompiledStreamRules>;

  /** Server-wide lists are fixed for the policy's life; when they change, build a new policy. */
  constructor(config: ServerModerationConfig, options: { maxCachedStreams?: number } = {}) {
    this.#config = { ...config, blockedTerms: [...config.blockedTerms], heldTerms: [...config.heldTerms] };
    this.#blocked = new TermMatcher(config.blockedTerms);
    this.#held = new TermMatcher(config.heldTerms);
    this.#streams = new StreamCache({
      capacity: options.maxCachedStreams ?? DEFAULT_CACHED_STREAMS,
      compile: (rules) => ({ terms: new TermMatcher(rules.blockedTerms), blockLinks: rules.blockLinks }),
      same: (a, b) => a.blockLinks === b.blockLinks && sameStrings(a.blockedTerms, b.blockedTerms),
      snapshot: (rules) => ({ blockedTerms: [...rules.blockedTerms], blockLinks: rules.blockLinks }),
    });
    compileContactPatterns();
  }

  /**
   * The verdict on `text` (already normalised, see chat/text.ts) sent to
   * `stream`. A refusal wins over a hold. `exempt` (the sender moderates the
   * stream) skips the link, phone and e-mail rules and held terms; blocked
   * terms apply to everyone. A caller that trusts its staff completely simply
   * does not call.
   */
  evaluate(text: string, stream: string, rules: StreamModerationRules, exempt: boolean): Verdict {
    const own = this.#streams.get(stream, rules);
    let folded: FoldedText | undefined;
    const fold = (): FoldedText => (folded ??= foldMessage(text));
    if (this.#blocked.size > 0 && this.#blocked.matches(fold())) return VERDICTS.server_term;
    if (own.terms.size > 0 && own.terms.matches(fold())) return VERDICTS.stream_term;
    if (exempt) return ALLOW;
    const config = this.#config;
    if (config.blockLinks || own.blockLinks || config.blockPhones || config.blockEmails) {
      // Fullwidth and other compatibility forms read as ASCII, as a browser would.
      const plain = text.normalize('NFKC');
      // E-mail first: an address written out ("me (at) example (dot) com") also contains a link.
      if (config.blockEmails && hasEmail(plain)) return VERDICTS.email;
      if ((config.blockLinks || own.blockLinks) && hasLink(plain)) return VERDICTS.link;
      if (config.blockPhones && hasPhone(plain)) return VERDICTS.phone;
    }
    if (this.#held.size > 0 && this.#held.matches(fold())) return VERDICTS.held_term;
    return ALLOW;
  }

  /** Drops a stream's compiled rules (call when they change); they would also be recompiled on the next differing `evaluate`. */
  forgetStream(stream: string): void {
    this.#streams.invalidate(stream);
  }

  /** Streams whose rules are compiled now. */
  get cachedStreams(): number {
    return this.#streams.size;
  }
}
