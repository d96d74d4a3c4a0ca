// Compiled per-stream rules, kept between messages. The state store hands out
// a fresh copy of a stream's rules on every read, so an entry is reused while
// its source is equal in content (compared per message, far cheaper than
// compiling), recompiled when the rules change, and dropped least recently
// used first, so memory stays bounded however many streams come and go.

export interface StreamCacheOptions<S, C> {
  /** Most streams kept compiled. */
  capacity: number;
  compile: (source: S) => C;
  /** Whether two sources compile to the same thing. */
  same: (a: S, b: S) => boolean;
  /** A copy of the source to compare later ones with (the caller may reuse or mutate its object). */
  snapshot: (source: S) => S;
}

export class StreamCache<S, C> {
  readonly #options: StreamCacheOptions<S, C>;
  // Map iteration order is insertion order: the first key is the least recently used.
  readonly #entries = new Map<string, { source: S; compiled: C }>();

  constructor(options: StreamCacheOptions<S, C>) {
    if (!(options.capacity >= 1)) throw new RangeError('StreamCache capacity must be at least 1');
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The compiled form of `source` for `stream`, compiling only when the stream's source changed or was evicted. */
  get(stream: string, source: S): C {
    const entry = this.#entries.get(stream);
    this.#entries.delete(stream);
    if (entry !== undefined && this.#options.same(entry.source, source)) {
      this.#entries.set(stream, entry);
      return entry.compiled;
    }
    const fresh = { source: this.#options.snapshot(source), compiled: this.#options.compile(source) };
    this.#entries.set(stream, fresh);
    if (this.#entries.size > this.#options.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return fresh.compiled;
  }

  /** Forgets a stream, e.g. when its rules change by broadcast; the next `get` compiles afresh. */
  invalidate(stream: string): void {
    this.#entries.delete(stream);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Element-wise equality of two string lists, for `same`. */
export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
