import { chunksPerTurn } from '../process/chunks-per-turn.ts';
import type { OutboundBatch, Viewer } from './outbound-frame.ts';

// Viewers written per turn of the event loop: between chunks, inbound
// frames and backing-service replies are handled, so one big stream's
// fan-out never holds the gateway's other work for long.
export const FANOUT_CHUNK = 1_000;

/** A viewer's write of a batch of its own (a joiner's share of a flush). */
export interface OwnWrite {
  viewer: Viewer;
  batch: OutboundBatch;
}

/**
 * Writes each of `own` its own batch, then `batch` to every viewer in the
 * list, a chunk per turn of the event loop; `done` gets the wall time the
 * writes themselves took (ms). A join storm's joiners are chunked with the
 * viewers: thousands of them written in one turn held a busy gateway for
 * half a second (BENCHMARKS.md).
 */
export function writeInChunks(own: readonly OwnWrite[], viewers: readonly Viewer[], batch: OutboundBatch, done: (costMs: number) => void): void {
  let costMs = 0;
  chunksPerTurn(own.length + viewers.length, FANOUT_CHUNK, (from, to) => {
    const started = performance.now();
    let i = from;
    for (; i < to && i < own.length; i++) own[i]!.viewer.deliver(own[i]!.batch);
    for (; i < to; i++) viewers[i - own.length]!.deliver(batch);
    costMs += performance.now() - started;
  }, () => done(costMs));
}
