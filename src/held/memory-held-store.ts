import type { HeldMessage, HeldStore, HeldStoreBounds, TakenFor } from './held-store.ts';

// Streams with held lines kept at most; one more forgets the stream held in longest ago.
const MAX_STREAMS = 10_000;

/** Held lines in this process (embedded mode): lost on a restart, which only means they never appear. */
export class MemoryHeldStore implements HeldStore {
  readonly #bounds: HeldStoreBounds;
  readonly #byStream = new Map<string, HeldMessage[]>();

  constructor(bounds: HeldStoreBounds) {
    this.#bounds = bounds;
  }

  async add(held: HeldMessage): Promise<HeldMessage[]> {
    let list = this.#byStream.get(held.stream);
    if (list === undefined) {
      if (this.#byStream.size >= MAX_STREAMS) this.#byStream.delete(this.#byStream.keys().next().value!);
      this.#byStream.set(held.stream, (list = []));
    }
    list.push(held);
    return list.length > this.#bounds.perStream ? list.splice(0, list.length - this.#bounds.perStream) : [];
  }

  async list(stream: string, now: number): Promise<HeldMessage[]> {
    return (this.#byStream.get(stream) ?? []).filter((h) => this.#fresh(h, now));
  }

  async take(stream: string, id: string, now: number, _outcome: TakenFor): Promise<HeldMessage | undefined> {
    const list = this.#byStream.get(stream);
    const index = list?.findIndex((h) => h.id === id && this.#fresh(h, now)) ?? -1;
    if (index === -1) return undefined;
    const [held] = list!.splice(index, 1);
    if (list!.length === 0) this.#byStream.delete(stream);
    return held;
  }

  async expire(now: number): Promise<HeldMessage[]> {
    const gone: HeldMessage[] = [];
    for (const [stream, list] of this.#byStream) {
      while (list.length > 0 && !this.#fresh(list[0]!, now)) gone.push(list.shift()!);
      if (list.length === 0) this.#byStream.delete(stream);
    }
    return gone;
  }

  async close(): Promise<void> {}

  #fresh(held: HeldMessage, now: number): boolean {
    return now - held.heldAt < this.#bounds.ttlMs;
  }
}
