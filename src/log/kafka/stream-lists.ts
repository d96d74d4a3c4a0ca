/**
 * Per-stream lists in process memory, for the views gateways build from a
 * followed topic (the audit log's window, the pending reports). A stream
 * keeps its newest `maxPerStream` items; `total` counts them over all
 * streams for the bound the owner applies (forget the stream written longest
 * ago, or ignore adds). Streams are in the order of their latest write.
 */
export class StreamLists<T> {
  readonly #byStream = new Map<string, T[]>();
  readonly #maxPerStream: number;
  #total = 0;

  constructor(maxPerStream: number) {
    this.#maxPerStream = maxPerStream;
  }

  get total(): number {
    return this.#total;
  }

  /** The stream's items, oldest first. */
  get(stream: string): readonly T[] {
    return this.#byStream.get(stream) ?? [];
  }

  /** As `get`, and the stream becomes the one written last. */
  touch(stream: string): readonly T[] {
    return this.#touch(stream);
  }

  /** Inserts at `at` (default: as the newest); beyond `maxPerStream` the stream's oldest goes. */
  insert(stream: string, item: T, at?: number): void {
    const list = this.#touch(stream);
    list.splice(at ?? list.length, 0, item);
    this.#total++;
    if (list.length > this.#maxPerStream) {
      list.shift();
      this.#total--;
    }
  }

  /** Removes the item at `at`, if there is one; a stream left empty is forgotten. */
  remove(stream: string, at: number): void {
    const list = this.#byStream.get(stream);
    if (list === undefined || at < 0 || at >= list.length) return;
    list.splice(at, 1);
    this.#total--;
    if (list.length === 0) this.#byStream.delete(stream);
  }

  /** Forgets the stream written longest ago, whole. */
  forgetOldestStream(): void {
    const first = this.#byStream.entries().next();
    if (first.done === true) return;
    const [stream, list] = first.value;
    this.#byStream.delete(stream);
    this.#total -= list.length;
  }

  #touch(stream: string): T[] {
    let list = this.#byStream.get(stream);
    if (list === undefined) list = [];
    else this.#byStream.delete(stream); // re-inserted below: the Map's order is the order of the latest writes
    this.#byStream.set(stream, list);
    return list;
  }
}
