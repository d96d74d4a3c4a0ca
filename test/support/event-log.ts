import type { EventEmitter } from 'node:events';

/**
 * Records every emission of the named events of a real client library, so a
 * test can wait for one that already happened or is still to come.
 */
export class EventLog {
  readonly seen: Array<{ name: string; args: any[] }> = [];
  readonly #taken = new Set<object>();
  #wake: Array<() => void> = [];

  constructor(emitter: EventEmitter, names: readonly string[]) {
    for (const name of names) {
      emitter.on(name, (...args: any[]) => {
        this.seen.push({ name, args });
        for (const wake of this.#wake.splice(0)) wake();
      });
    }
  }

  /** The arguments of the next not-yet-taken emission of `name` matching `where`; fails after `ms`. */
  async next(name: string, where: (...args: any[]) => boolean = () => true, ms = 5_000): Promise<any[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.seen.find((e) => e.name === name && !this.#taken.has(e) && where(...e.args));
      if (found !== undefined) {
        this.#taken.add(found);
        return found.args;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${name} event within ${ms} ms; saw ${JSON.stringify(this.seen.slice(-6).map((e) => [e.name, e.args.slice(0, 3)]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(name: string, where: (...args: any[]) => boolean = () => true): number {
    return this.seen.filter((e) => e.name === name && where(...e.args)).length;
  }
}
