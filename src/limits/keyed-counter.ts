/**
 * Open connections per key (a client address, a user id), each count capped.
 * A key is held only while its count is above zero, so the map is never
 * larger than the number of open connections.
 */
export class KeyedCounter {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Counts one more for `key`, unless it already holds the maximum. */
  tryAdd(key: string): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.#max) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  remove(key: string): void {
    const count = this.#counts.get(key);
    if (count === undefined) return;
    if (count <= 1) this.#counts.delete(key);
    else this.#counts.set(key, count - 1);
  }
}
