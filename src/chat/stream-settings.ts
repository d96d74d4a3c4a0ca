import type { StreamImages } from '../protocol/stream-images.ts';
import type { Modes, StreamRules } from '../protocol/types.ts';
import type { StateStore } from '../state/state.ts';
import { StreamReadCache, type CachedStateOptions } from './stream-read-cache.ts';

/** What every send of a stream is checked against, shared by every caller: never changed in place. */
export interface Settings {
  readonly modes: Readonly<Modes>;
  readonly rules: Readonly<StreamRules>;
  /** The broadcaster's emote and badge images (what the page draws). */
  readonly images: Readonly<StreamImages>;
  /** The stream's own emote names: the rules' names, then those of the emote images. */
  readonly emotes: readonly string[];
}

/**
 * A stream's modes and rules for the send path. Reading them from the state
 * store per send cost two Redis round trips per message in cluster mode, the
 * most of any step; they change a few times per stream per hour, so each
 * gateway reads them together at most once per `ttlMs` (stream-read-cache.ts).
 * A change made through this gateway goes to the store first and then clears
 * the copy here, so it applies here at once, and elsewhere within `ttlMs`.
 */
export class StreamSettings {
  readonly #state: StateStore;
  readonly #cache: StreamReadCache<Settings>;

  constructor(options: CachedStateOptions) {
    this.#state = options.state;
    const read = async (stream: string): Promise<Settings> => {
      const [modes, rules, images] = await Promise.all([options.state.getModes(stream), options.state.getRules(stream), options.state.getImages(stream)]);
      return { modes, rules, images, emotes: [...rules.emotes, ...images.emotes.map((e) => e.name)] };
    };
    this.#cache = new StreamReadCache<Settings>({ ...options, read });
  }

  of(stream: string): Promise<Settings> {
    return this.#cache.get(stream);
  }

  /** Applies a partial change and returns the whole new Modes; this gateway's sends follow it at once. */
  async setModes(stream: string, change: Partial<Modes>): Promise<Modes> {
    const modes = await this.#state.setModes(stream, change);
    this.#cache.forget(stream);
    return modes;
  }

  async setRules(stream: string, rules: StreamRules): Promise<void> {
    await this.#state.setRules(stream, rules);
    this.#cache.forget(stream);
  }

  async setImages(stream: string, images: StreamImages): Promise<void> {
    await this.#state.setImages(stream, images);
    this.#cache.forget(stream);
  }
}
