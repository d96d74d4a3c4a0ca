import type { Modes, Ordering } from '../protocol/types.ts';

// A moderator's change of `modes.ordering` takes effect here within this long:
// lines are routed by it one by one, and a Redis read per line would double
// the cost of every send and every remote line.
const FRESH_MS = 1_000;
const MAX_STREAMS = 10_000;

/**
 * Each stream's `modes.ordering`, read from the state store and kept for a
 * second. `load` reads what is missing or stale; `of` answers from what was
 * loaded, without waiting, so a batch of lines is routed in its own order.
 */
export class StreamOrderings {
  readonly #getModes: (stream: string) => Promise<Modes>;
  readonly #now: () => number;
  readonly #known = new Map<string, { ordering: Ordering; at: number }>();

  constructor(getModes: (stream: string) => Promise<Modes>, now: () => number = Date.now) {
    this.#getModes = getModes;
    this.#now = now;
  }

  async load(streams: Iterable<string>): Promise<void> {
    const now = this.#now();
    const stale = [...new Set(streams)].filter((s) => (this.#known.get(s)?.at ?? -Infinity) + FRESH_MS <= now);
    const modes = await Promise.all(stale.map((s) => this.#getModes(s)));
    stale.forEach((stream, i) => {
      this.#known.delete(stream);
      this.#known.set(stream, { ordering: modes[i]!.ordering ?? 'regional', at: now });
      if (this.#known.size > MAX_STREAMS) this.#known.delete(this.#known.keys().next().value!);
    });
  }

  /** The ordering `load` found; regional for a stream not loaded. */
  of(stream: string): Ordering {
    return this.#known.get(stream)?.ordering ?? 'regional';
  }

  async get(stream: string): Promise<Ordering> {
    await this.load([stream]);
    return this.of(stream);
  }
}
