export interface WaitingForLinesOptions<K, V> {
  /** Tries the waiting ones again; resolves with the keys now done. */
  retry: (waiting: ReadonlyArray<[K, V]>) => Promise<K[]>;
  onError: (err: unknown) => void;
  /** How often the waiting ones are tried again, and how long each waits. */
  everyMs: number;
  keepMs: number;
  /** At most this many wait; one more gives up the oldest. */
  max: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  until: number;
}

/**
 * A peer's decisions about lines this region does not have yet: a line
 * crosses through its own origin's mirror, a decision about it through the
 * deciding region's, and the second may come first (a slower link, a
 * partition healing). Each waits on the gateway that took it (a crash
 * forgets it), tried again every `everyMs` for `keepMs`, never two rounds at
 * once; a newer decision under the same key replaces the one waiting.
 */
export class WaitingForLines<K, V> {
  readonly #o: Required<WaitingForLinesOptions<K, V>>;
  readonly #waiting = new Map<K, Entry<V>>();
  readonly #timer: NodeJS.Timeout;
  #retrying = false;

  constructor(options: WaitingForLinesOptions<K, V>) {
    this.#o = { now: Date.now, ...options };
    this.#timer = setInterval(() => void this.#retry(), this.#o.everyMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#waiting.size;
  }

  add(key: K, value: V): void {
    this.#waiting.delete(key);
    this.#waiting.set(key, { value, until: this.#o.now() + this.#o.keepMs });
    if (this.#waiting.size > this.#o.max) this.#waiting.delete(this.#waiting.keys().next().value!);
  }

  delete(key: K): void {
    this.#waiting.delete(key);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#waiting.clear();
  }

  async #retry(): Promise<void> {
    if (this.#retrying || this.#waiting.size === 0) return;
    this.#retrying = true;
    try {
      const now = this.#o.now();
      const round = new Map<K, Entry<V>>();
      for (const [key, entry] of this.#waiting) {
        if (entry.until <= now) this.#waiting.delete(key);
        else round.set(key, entry);
      }
      const done = await this.#o.retry([...round].map(([key, entry]) => [key, entry.value]));
      // What was replaced while this round ran waits on.
      for (const key of done) if (this.#waiting.get(key) === round.get(key)) this.#waiting.delete(key);
    } catch (err) {
      this.#o.onError(err);
    } finally {
      this.#retrying = false;
    }
  }
}
