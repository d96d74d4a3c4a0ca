export interface Chatter {
  id: string;
  name: string;
  messages: number;
}

interface Counted {
  name: string;
  count: number;
}

/**
 * The heaviest chatters with a fixed number of counters (the space-saving
 * algorithm): a new user, when every counter is taken, replaces the smallest
 * and inherits its count. Anyone who sent more than total/capacity messages
 * is certainly among the counters; counts may be overstated by at most the
 * replaced count. Memory is `capacity` entries however many users chat.
 */
export class SpaceSaving {
  readonly #capacity: number;
  readonly #counters = new Map<string, Counted>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  record(id: string, name: string): void {
    const found = this.#counters.get(id);
    if (found !== undefined) {
      found.count++;
      found.name = name;
      return;
    }
    if (this.#counters.size < this.#capacity) {
      this.#counters.set(id, { name, count: 1 });
      return;
    }
    let smallestId = '';
    let smallest = Infinity;
    for (const [key, counted] of this.#counters) {
      if (counted.count < smallest) {
        smallest = counted.count;
        smallestId = key;
      }
    }
    this.#counters.delete(smallestId);
    this.#counters.set(id, { name, count: smallest + 1 });
  }

  entries(): IterableIterator<[string, Counted]> {
    return this.#counters.entries();
  }
}

/**
 * Top chatters of a recent window: two space-saving sketches, the current
 * one and the one before, swapped every `periodMs`; the answer sums both, so
 * it covers the last one to two periods.
 */
export class RecentTopChatters {
  readonly #capacity: number;
  readonly #periodMs: number;
  #current: SpaceSaving;
  #previous: SpaceSaving;
  #period = -Infinity;

  constructor(capacity: number, periodMs: number) {
    this.#capacity = capacity;
    this.#periodMs = periodMs;
    this.#current = new SpaceSaving(capacity);
    this.#previous = new SpaceSaving(capacity);
  }

  record(ts: number, id: string, name: string): void {
    const period = Math.floor(ts / this.#periodMs);
    if (period < this.#period - 1) return; // older than the window
    if (period > this.#period) this.#rotate(period);
    (period === this.#period ? this.#current : this.#previous).record(id, name);
  }

  top(limit: number, now: number): Chatter[] {
    const period = Math.floor(now / this.#periodMs);
    if (period > this.#period) this.#rotate(period);
    const sums = new Map<string, Chatter>();
    for (const sketch of [this.#previous, this.#current]) {
      for (const [id, { name, count }] of sketch.entries()) {
        const seen = sums.get(id);
        if (seen === undefined) sums.set(id, { id, name, messages: count });
        else {
          seen.messages += count;
          seen.name = name; // the current period's name is the newer one
        }
      }
    }
    return [...sums.values()].sort((a, b) => b.messages - a.messages || a.id.localeCompare(b.id)).slice(0, limit);
  }

  #rotate(period: number): void {
    this.#previous = period === this.#period + 1 ? this.#current : new SpaceSaving(this.#capacity);
    this.#current = new SpaceSaving(this.#capacity);
    this.#period = period;
  }
}
