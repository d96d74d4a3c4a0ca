/**
 * Group commit's gathering (issue 21): calls made in the same turn of the
 * event loop with the same key go out as one group after the turn, so a
 * burst of sends to one stream costs one Redis script call, not one each.
 * Nothing waits for a timer: a lone call leaves at the end of its turn, as
 * soon as it would have otherwise. A group is at most `maxGroup` calls (a
 * full one leaves at once), so one script never runs long on Redis.
 */
export class TurnGroups<Item, Result> {
  readonly #send: (key: string, items: Item[]) => Promise<Result[]>;
  readonly #maxGroup: number;
  readonly #open = new Map<string, Array<PendingCall<Item, Result>>>();
  #scheduled = false;

  /** `send` answers one result per item, in order; if it rejects, every call of the group rejects with it. */
  constructor(send: (key: string, items: Item[]) => Promise<Result[]>, maxGroup: number) {
    this.#send = send;
    this.#maxGroup = maxGroup;
  }

  add(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let group = this.#open.get(key);
      if (group === undefined) {
        group = [];
        this.#open.set(key, group);
      }
      group.push({ item, resolve, reject });
      if (group.length >= this.#maxGroup) {
        this.#open.delete(key);
        this.#dispatch(key, group);
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    for (const [key, group] of this.#open) this.#dispatch(key, group);
    this.#open.clear();
  }

  #dispatch(key: string, group: Array<PendingCall<Item, Result>>): void {
    this.#send(key, group.map((call) => call.item)).then(
      (results) => group.forEach((call, i) => call.resolve(results[i]!)),
      (err: unknown) => group.forEach((call) => call.reject(err)),
    );
  }
}

interface PendingCall<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (err: unknown) => void;
}
