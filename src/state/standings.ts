import type { Standing } from './state.ts';

const NONE: Readonly<Standing> = Object.freeze({ warning: null, restricted: false });

/**
 * Warnings and restrictions in memory (MemoryState): stream -> user -> standing.
 * It grows only by moderator action, like bans, and a user back to no warning
 * and no restriction is forgotten. Each change is written through `save`
 * (the state's persistence) before it takes effect, as bans are.
 */
export class Standings {
  readonly #streams: Map<string, Map<string, Standing>>;
  readonly #save: (stream: string, userId: string, standing: Standing) => void;

  constructor(loaded: Map<string, Map<string, Standing>> = new Map(), save: (stream: string, userId: string, standing: Standing) => void = () => {}) {
    this.#streams = loaded;
    this.#save = save;
  }

  of(stream: string, userId: string): Standing {
    const standing = this.#streams.get(stream)?.get(userId);
    return standing === undefined ? { ...NONE } : { ...standing };
  }

  /** Applies a change; returns the standing before it. */
  change(stream: string, userId: string, change: Partial<Standing>): Standing {
    const before = this.of(stream, userId);
    const after = { ...before, ...change };
    this.#save(stream, userId, after);
    let users = this.#streams.get(stream);
    if (after.warning === null && !after.restricted) {
      users?.delete(userId);
      if (users?.size === 0) this.#streams.delete(stream);
      return before;
    }
    if (users === undefined) this.#streams.set(stream, (users = new Map()));
    users.set(userId, after);
    return before;
  }
}
