import type { OutboundBatch, Viewer } from './outbound-frame.ts';

// Viewers written per turn of the event loop: between chunks, inbound
// frames and backing-service replies are handled, so one big stream's
// fan-out never holds the gateway's other work for long.
const FANOUT_CHUNK = 1_000;

/**
 * Hands one batch to every viewer in the list, a chunk per turn of the event
 * loop; `done` gets the wall time the writes themselves took (ms).
 */
export function writeInChunks(viewers: readonly Viewer[], batch: OutboundBatch, done: (costMs: number) => void): void {
  let next = 0;
  let costMs = 0;
  const writeChunk = (): void => {
    const started = performance.now();
    const end = Math.min(next + FANOUT_CHUNK, viewers.length);
    for (; next < end; next++) viewers[next]!.deliver(batch);
    costMs += performance.now() - started;
    if (next < viewers.length) setImmediate(writeChunk);
    else done(costMs);
  };
  writeChunk();
}
