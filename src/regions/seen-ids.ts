/**
 * The ids of lines already taken in, so a line arriving twice (MirrorMaker 2
 * delivers at least once; a healed partition replays) is taken once. Bounded:
 * beyond `capacity` the ids seen longest ago are forgotten first (a Set keeps
 * insertion order). This is the cheap first check on one gateway; the
 * region-wide check is the once-key of the stamp (docs/regions.md, "Dedupe").
 */
export class SeenIds {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#ids.size;
  }

  /** True the first time an id is seen (within the bound), false for a repeat. */
  firstTime(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }

  forget(id: string): void {
    this.#ids.delete(id);
  }
}
