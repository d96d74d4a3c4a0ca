import type { Message } from '../protocol/types.ts';

/**
 * The newest live messages a gateway has delivered for one stream, in seq
 * order, in a fixed-size ring. A viewer whose history was read from the log
 * while newer messages went out catches up from here.
 */
export class MessageWindow {
  readonly #ring: Array<Message | undefined>;
  #start = 0;
  #size = 0;
  /** The highest seq pushed out of the ring, 0 if none. */
  evictedUpTo = 0;

  constructor(capacity: number) {
    this.#ring = new Array(capacity);
  }

  push(message: Message): void {
    const capacity = this.#ring.length;
    if (this.#size === capacity) {
      this.evictedUpTo = this.#ring[this.#start]!.seq;
      this.#ring[this.#start] = message;
      this.#start = (this.#start + 1) % capacity;
    } else {
      this.#ring[(this.#start + this.#size) % capacity] = message;
      this.#size++;
    }
  }

  /** Messages with seq > `seq`, oldest first. */
  after(seq: number): Message[] {
    const out: Message[] = [];
    for (let i = 0; i < this.#size; i++) {
      const message = this.#ring[(this.#start + i) % this.#ring.length]!;
      if (message.seq > seq) out.push(message);
    }
    return out;
  }

  /** The message with this id, newest first (a reply's parent is usually recent); undefined when not held. */
  find(id: string): Message | undefined {
    for (let i = this.#size - 1; i >= 0; i--) {
      const message = this.#ring[(this.#start + i) % this.#ring.length]!;
      if (message.id === id) return message;
    }
    return undefined;
  }

  /** Drops the matching messages (retracted), so a later catch-up does not resend them; returns them. */
  remove(predicate: (m: Message) => boolean): Message[] {
    const all = this.after(0);
    const kept = all.filter((m) => !predicate(m));
    if (kept.length === all.length) return [];
    this.#ring.fill(undefined);
    this.#start = 0;
    this.#size = 0;
    for (const m of kept) this.push(m);
    return all.filter(predicate);
  }
}
