import type { Emote, StreamRules } from '../protocol/types.ts';
import { DEFAULT_CACHED_STREAMS, ModerationPolicy, type ServerModerationConfig, type Verdict } from '../moderation/moderation-policy.ts';
import { sameStrings, StreamCache } from '../moderation/stream-cache.ts';
import { DEFAULT_GLOBAL_EMOTES, EmoteSet } from './emotes.ts';

export interface ContentConfig extends ServerModerationConfig {
  /** Empty means the built-in set. */
  globalEmotes: readonly string[];
}

/**
 * What the text of a message means to the lifecycle: its emotes (global set
 * plus the stream's), whether it is emote-only, and automod's verdict. Each
 * stream's emote set and rules are compiled once and reused until they change.
 */
export class ContentRules {
  readonly #globalEmotes: EmoteSet;
  readonly #streamEmotes: StreamCache<readonly string[], EmoteSet>;
  readonly #policy: ModerationPolicy;

  constructor(config: ContentConfig) {
    this.#globalEmotes = new EmoteSet(config.globalEmotes.length > 0 ? config.globalEmotes : DEFAULT_GLOBAL_EMOTES);
    this.#streamEmotes = new StreamCache({
      capacity: DEFAULT_CACHED_STREAMS,
      compile: (names) => new EmoteSet(names),
      same: sameStrings,
      snapshot: (names) => [...names],
    });
    this.#policy = new ModerationPolicy(config);
  }

  /** `names`: the stream's own emote names (Settings.emotes). */
  emotesIn(stream: string, text: string, names: readonly string[]): Emote[] {
    return this.#globalEmotes.find(text, this.#emotesOf(stream, names));
  }

  isEmoteOnly(stream: string, text: string, names: readonly string[]): boolean {
    return this.#globalEmotes.isEmoteOnly(text, this.#emotesOf(stream, names));
  }

  /** `exempt`: the sender moderates this stream (link, phone, e-mail rules and held terms do not apply). */
  moderate(stream: string, text: string, rules: StreamRules, exempt: boolean): Verdict {
    return this.#policy.evaluate(text, stream, rules, exempt);
  }

  #emotesOf(stream: string, names: readonly string[]): EmoteSet | undefined {
    return names.length === 0 ? undefined : this.#streamEmotes.get(stream, names);
  }
}
