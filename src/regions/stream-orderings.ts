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
 * One read per stream at a time: the sends that find it stale while it is
 * being read wait for that read (in a burst, hundreds of sends a second of
 * one stream would each read it again).
 */
export class StreamOrderings {
  readonly #getModes: (stream: string) => Promise<Modes>;
  readonly #now: () => number;
  readonly #known = new Map<string, { ordering: Ordering; at: number }>();
  /** The reads under way, by stream (each removed when it settles). */
  readonly #reading = new Map<string, Promise<void>>();

  constructor(getModes: (stream: string) => Promise<Modes>, now: () => number = Date.now) {
    this.#getModes = getModes;
    this.#now = now;
  }

  async load(streams: Iterable<string>): Promise<void> {
    const now = this.#now();
    const reads: Array<Promise<void>> = [];
    for (const stream of new Set(streams)) {
      if ((this.#known.get(stream)?.at ?? -Infinity) + FRESH_MS > now) continue;
      let read = this.#reading.get(stream);
      if (read === undefined) {
        read = this.#getModes(stream)
          .then((modes) => this.#remember(stream, modes.ordering ?? 'regional', now))
          .finally(() => this.#reading.delete(stream));
        this.#reading.set(stream, read);
      }
      reads.push(read);
    }
    await Promise.all(reads);
  }

  /** The ordering `load` found; regional for a stream not loaded. */
  of(stream: string): Ordering {
    return this.#known.get(stream)?.ordering ?? 'regional';
  }

  async get(stream: string): Promise<Ordering> {
    await this.load([stream]);
    return this.of(stream);
  }

  #remember(stream: string, ordering: Ordering, at: number): void {
    this.#known.delete(stream);
    this.#known.set(stream, { ordering, at });
    if (this.#known.size > MAX_STREAMS) this.#known.delete(this.#known.keys().next().value!);
  }
}
