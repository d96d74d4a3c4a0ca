/**
 * Runs work over `total` items a chunk of `size` per turn of the event loop
 * (the first chunk at once, each next one from a `setImmediate`), so a long
 * loop over a gateway's viewers or sessions never holds the loop for long:
 * replies, reads and timers are handled between chunks. `run` gets each
 * chunk's index range [from, to); `done` is called after the last. Returns
 * a cancel that drops the chunks not yet run (and `done`).
 */
export function chunksPerTurn(total: number, size: number, run: (from: number, to: number) => void, done: () => void): () => void {
  let next = 0;
  let pending: NodeJS.Immediate | undefined;
  const chunk = (): void => {
    const to = Math.min(next + size, total);
    run(next, to);
    next = to;
    pending = next < total ? setImmediate(chunk) : undefined;
    if (pending === undefined) done();
  };
  chunk();
  return () => clearImmediate(pending);
}
