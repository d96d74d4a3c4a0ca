import type { FanoutSampling } from '../chat/sampler.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Channel } from './channel.ts';
import { FlushFramer } from './flush-frames.ts';
import { deliverToJoiners } from './joiner-delivery.ts';
import { OutboundBatch } from './outbound-frame.ts';

export interface FlushSchedulerOptions {
  metrics: Metrics;
  maxFlushMs: number;
  stateIntervalMs: number;
  /** Told after each fan-out how long its oldest line waited here, stamp to written to every viewer (ms). */
  sampling: Pick<FanoutSampling, 'observeFanoutDelay'>;
}

// A flush costs one write system call per viewer, whatever its size, so a
// stream's flush window follows what its flushes cost: this many times the
// time its last flushes took, so writing to its viewers takes at most about
// a quarter of the gateway's time, up to maxFlushMs (the latency budget). A
// stream with few viewers costs next to nothing and flushes at once; on a
// busy machine the same flush takes longer and the window widens with it.
const WINDOW_PER_FLUSH_COST = 3;
// Weight of the newest flush in the running cost.
const COST_SMOOTHING = 0.3;
// Viewers written per turn of the event loop: between chunks, inbound
// frames and backing-service replies are handled, so one big stream's
// fan-out never holds the gateway's other work for long.
const FANOUT_CHUNK = 1_000;

/**
 * When each channel flushes (its adaptive window), and the flush itself:
 * the pending events framed once, one batch handed to every viewer, written
 * in chunks so one big stream does not hold the event loop.
 */
export class FlushScheduler {
  readonly #o: FlushSchedulerOptions;
  readonly #framer: FlushFramer;

  constructor(options: FlushSchedulerOptions) {
    this.#o = options;
    this.#framer = new FlushFramer(options.stateIntervalMs, (channel) => this.schedule(channel));
  }

  /** A flush at the end of the channel's window, unless one is due or a fan-out is being written. */
  schedule(channel: Channel): void {
    if (channel.flushTimer !== undefined || channel.delivering) return;
    const window = Math.min(this.#o.maxFlushMs, channel.flushCostMs * WINDOW_PER_FLUSH_COST);
    const wait = channel.lastFlushAt + window - performance.now();
    // A quiet stream flushes at once (after this tick, so a burst in one tick is one frame).
    channel.flushTimer = wait <= 0 ? setImmediate(() => this.flush(channel)) : setTimeout(() => this.flush(channel), wait);
  }

  flush(channel: Channel): void {
    if (channel.flushTimer !== undefined) {
      clearTimeout(channel.flushTimer as NodeJS.Timeout);
      clearImmediate(channel.flushTimer as NodeJS.Immediate);
      channel.flushTimer = undefined;
    }
    // The resync schedules a flush when it is done, and so does a fan-out in progress.
    if (channel.resyncing > 0 || channel.delivering) return;
    const frames = this.#framer.take(channel);
    if (frames.length === 0) return;
    channel.lastFlushAt = performance.now();
    // One write per viewer for the whole flush, whatever frames it holds.
    const batch = new OutboundBatch(frames.map((f) => f.frame));
    // The viewers of this flush: joiners promoted by it get its frames their own way.
    const viewers = [...channel.viewers.keys()];
    const metrics = this.#o.metrics;
    if (channel.joiners.size > 0) deliverToJoiners(channel, frames, metrics);
    for (const { frame } of frames) if (frame.lines > 0) metrics.batchSize.observe(frame.lines);
    if (batch.lines > 0) metrics.deliveries.inc(batch.lines * viewers.length);
    metrics.framesWritten.inc(frames.length * viewers.length);
    metrics.fanoutWrites.inc(viewers.length);
    channel.delivering = true;
    const oldestTs = frames.find((f) => f.messages !== undefined)?.messages![0]!.ts;
    let next = 0;
    let costMs = 0;
    const writeChunk = (): void => {
      const started = performance.now();
      const end = Math.min(next + FANOUT_CHUNK, viewers.length);
      for (; next < end; next++) viewers[next]!.deliver(batch);
      costMs += performance.now() - started;
      if (next < viewers.length) {
        setImmediate(writeChunk);
        return;
      }
      channel.delivering = false;
      channel.flushCostMs += (costMs - channel.flushCostMs) * COST_SMOOTHING;
      if (oldestTs !== undefined) this.#o.sampling.observeFanoutDelay(channel.stream, Date.now() - oldestTs);
      if (channel.pending.length > 0 || channel.stateDirty) this.schedule(channel);
    };
    writeChunk();
  }
}
