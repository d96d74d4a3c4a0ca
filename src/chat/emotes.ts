// Emotes: whitespace-separated tokens that exactly equal a known name
// (case-sensitive, as on Twitch: "Kappa" is an emote, "kappa" is a word).
import type { Emote } from '../protocol/types.ts';

/** Classic global emotes, used when the configuration names none. */
export const DEFAULT_GLOBAL_EMOTES: readonly string[] = Object.freeze([
  'Kappa', 'Keepo', 'KappaPride', 'PogChamp', 'LUL', '4Head', 'BibleThump', 'DansGame', 'Kreygasm',
  'ResidentSleeper', 'SwiftRage', 'NotLikeThis', 'WutFace', 'SeemsGood', 'VoHiYo', 'CoolStoryBob',
  'BabyRage', 'FailFish', 'HeyGuys', 'MrDestructoid', 'PJSalt', 'SMOrc', 'Jebaited', 'OpieOP',
  'BloodTrail', 'cmonBruh', 'GivePLZ', 'TakeNRG', 'CoolCat', 'HSWP',
  '<3', ':)', ':(', ':D', ';)', ':P', ':O', 'B)', 'R)', 'O_o',
]);

const TOKEN = /\S+/g;

/**
 * An immutable set of emote names. Build one per set (the global one once,
 * each stream's one when its rules change); `find` and `isEmoteOnly` take an
 * optional second set so a message is checked against global + stream emotes
 * without building a merged set per message.
 */
export class EmoteSet {
  readonly #names: ReadonlySet<string>;
  readonly #longest: number;

  constructor(names: Iterable<string>) {
    const set = new Set<string>();
    let longest = 0;
    for (const name of names) {
      // A name with whitespace can never equal a token; an empty one means nothing.
      if (name === '' || /\s/.test(name)) continue;
      set.add(name);
      longest = Math.max(longest, name.length);
    }
    this.#names = set;
    this.#longest = longest;
  }

  get size(): number {
    return this.#names.size;
  }

  has(token: string): boolean {
    return token.length <= this.#longest && this.#names.has(token);
  }

  /** Each token of `text` that is an emote of this set or of `extra`; start/end are UTF-16 offsets, end exclusive. */
  find(text: string, extra?: EmoteSet): Emote[] {
    const found: Emote[] = [];
    if (this.size === 0 && (extra === undefined || extra.size === 0)) return found;
    for (const match of text.matchAll(TOKEN)) {
      const name = match[0];
      if (this.has(name) || extra?.has(name) === true) found.push({ name, start: match.index, end: match.index + name.length });
    }
    return found;
  }

  /** True when `text` has at least one token and every token is an emote of this set or of `extra` (emote-only mode). */
  isEmoteOnly(text: string, extra?: EmoteSet): boolean {
    let tokens = 0;
    for (const match of text.matchAll(TOKEN)) {
      const name = match[0];
      if (!this.has(name) && extra?.has(name) !== true) return false;
      tokens++;
    }
    return tokens > 0;
  }
}
