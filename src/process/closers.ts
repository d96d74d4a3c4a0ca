/**
 * What start-up opened, in the order it opened it, closed again newest first.
 * Each part registers as soon as it is open, so a start that fails half way
 * closes exactly what it had opened, and shutdown runs the same list: the
 * teardown is written once.
 */
export class Closers {
  readonly #closers: Array<{ name: string; close: () => unknown }> = [];
  #closing: Promise<void> | undefined;

  /** Registers how to close a part that is now open; it is closed before everything registered earlier. */
  add(name: string, close: () => unknown): void {
    this.#closers.push({ name, close });
  }

  /** Closes every part, newest first, once; a part that fails to close does not keep the others open. Rejects naming what failed. */
  closeAll(): Promise<void> {
    this.#closing ??= this.#closeEach();
    return this.#closing;
  }

  async #closeEach(): Promise<void> {
    const failures: Error[] = [];
    for (const { name, close } of this.#closers.reverse()) {
      try {
        await close();
      } catch (err) {
        failures.push(new Error(`closing ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  }
}
