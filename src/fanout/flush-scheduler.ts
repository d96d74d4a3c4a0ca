import type { FanoutSampling } from '../chat/sampler.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Channel } from './channel.ts';
import { type FlushFrame, FlushFramer } from './flush-frames.ts';
import { planJoinerWrites } from './joiner-delivery.ts';
import { OutboundBatch, type Viewer } from './outbound-frame.ts';
import { type OwnWrite, writeInChunks } from './chunked-write.ts';
import { Rollout } from './rollout.ts';

export interface FlushSchedulerOptions {
  metrics: Metrics;
  maxFlushMs: number;
  stateIntervalMs: number;
  /** Told after each fan-out how long its oldest line waited here, stamp (another region's line: arrival) to written to every viewer (ms). */
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
const NO_WRITES: readonly OwnWrite[] = [];
const NOTHING_CUT = { frames: [], waitingSince: undefined };

/**
 * When each channel flushes (its adaptive window), and the flush itself:
 * the pending events framed once, one batch handed to every viewer, written
 * in chunks so one big stream does not hold the event loop (rollout.ts; with
 * the chat delay on, to moderators now and through the delay lane to the rest).
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
    const wait = channel.lastFlushAt + this.#window(channel) - performance.now();
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
    const delayMs = channel.state.modes.chatDelaySeconds * 1000;
    if (delayMs === 0 && channel.delay.empty) {
      this.#rollOut(channel);
      return;
    }
    // With the chat delay on (or its lane still draining) this flush goes to moderators now and to everyone else
    // from the delay lane; the viewers of this flush exclude joiners, which it promotes and serves their own way.
    const { frames, waitingSince } = this.#cut(channel);
    if (frames.length === 0) return;
    channel.lastFlushAt = performance.now();
    // One write per viewer for the whole flush, whatever frames it holds.
    const batch = new OutboundBatch(frames.map((f) => f.frame));
    const viewers = [...channel.moderators].filter((v) => channel.viewers.has(v));
    const moderators = (v: Viewer): boolean => channel.moderators.has(v);
    const joinerWrites = channel.joiners.size > 0 ? planJoinerWrites(channel, frames, batch, this.#o.metrics, moderators) : NO_WRITES;
    this.#count(batch, viewers.length);
    channel.delivering = true;
    writeInChunks(joinerWrites, viewers, batch, (costMs) => {
      channel.delivering = false;
      this.#costed(channel, costMs);
      if (waitingSince !== undefined) this.#delivered(channel, waitingSince);
      if (channel.pending.length > 0 || channel.stateDirty) this.schedule(channel);
    });
    channel.delay.hold(frames, delayMs, Date.now());
    this.#scheduleRelease(channel);
  }

  /** The channel's pending events in rounds over its viewers (rollout.ts), taking in what arrives meanwhile. */
  #rollOut(channel: Channel): void {
    const first = this.#cut(channel);
    if (first.frames.length === 0) return;
    channel.delivering = true;
    const rollout = new Rollout(channel, {
      metrics: this.#o.metrics,
      // Midway, only what may go to everyone at once: a chat delay switched on, or a re-read, waits for the next flush.
      cut: () => (channel.resyncing === 0 && channel.state.modes.chatDelaySeconds === 0 ? this.#cut(channel) : NOTHING_CUT),
      untilNextRound: () => channel.lastFlushAt + this.#window(channel) - performance.now(),
      roundCost: (costMs) => this.#costed(channel, costMs),
      delivered: (waitingSince) => this.#delivered(channel, waitingSince),
      done: () => {
        channel.delivering = false;
        if (channel.pending.length > 0 || channel.stateDirty) this.schedule(channel);
      },
    });
    rollout.start(first.frames, first.waitingSince);
  }

  /** The pending events as one flush's frames, and when the oldest line among them began to wait. */
  #cut(channel: Channel): { frames: FlushFrame[]; waitingSince: number | undefined } {
    const frames = this.#framer.take(channel);
    if (frames.length === 0) return NOTHING_CUT;
    for (const { frame } of frames) if (frame.lines > 0) this.#o.metrics.batchSize.observe(frame.lines);
    // Lines a resync put back in (channel.waitingSince unset) count from their stamp.
    const waitingSince = channel.waitingSince ?? frames.find((f) => f.messages !== undefined)?.messages![0]!.ts;
    channel.waitingSince = undefined;
    return { frames, waitingSince };
  }

  #window(channel: Channel): number {
    return Math.min(this.#o.maxFlushMs, channel.flushCostMs * WINDOW_PER_FLUSH_COST);
  }

  #costed(channel: Channel, costMs: number): void {
    channel.flushCostMs += (costMs - channel.flushCostMs) * COST_SMOOTHING;
  }

  /** A flush's oldest line, waiting since then, reached every viewer. */
  #delivered(channel: Channel, waitingSince: number): void {
    // Another gateway's clock may have stamped the line: a little skew must not read as a negative wait.
    const waitedMs = Math.max(0, Date.now() - waitingSince);
    this.#o.sampling.observeFanoutDelay(channel.stream, waitedMs);
    this.#o.metrics.fanoutDelay.observe(waitedMs / 1000);
  }

  /** Hands everything still in the delay lane to its viewers now (the stream is closing). */
  drainDelay(channel: Channel): void {
    clearTimeout(channel.delay.timer);
    channel.delay.timer = undefined;
    this.#release(channel, channel.delay.takeAll());
  }

  #count(batch: OutboundBatch, viewers: number): void {
    const metrics = this.#o.metrics;
    if (batch.lines > 0) metrics.deliveries.inc(batch.lines * viewers);
    metrics.framesWritten.inc(batch.frames.length * viewers);
    metrics.fanoutWrites.inc(viewers);
  }

  /** A release of the delay lane when its oldest frame is due (at once when the delay was switched off). */
  #scheduleRelease(channel: Channel): void {
    const lane = channel.delay;
    const at = lane.nextReleaseAt;
    if (lane.timer !== undefined || lane.writing || at === undefined) return;
    const off = channel.state.modes.chatDelaySeconds === 0;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.#release(channel, off ? lane.takeAll() : lane.takeDue(Date.now()));
    }, off ? 0 : Math.max(0, at - Date.now()));
  }

  /**
   * Writes released frames to every viewer that is not a moderator, as one
   * batch built once for all of them, chunked like a flush; joiners that are
   * not moderators are served from it as from a flush.
   */
  #release(channel: Channel, frames: ReturnType<Channel['delay']['takeAll']>): void {
    const lane = channel.delay;
    if (frames.length > 0) {
      const batch = new OutboundBatch(frames.map((f) => f.frame));
      const delayed = (viewer: Viewer): boolean => !channel.moderators.has(viewer);
      const viewers = [...channel.viewers.keys()].filter(delayed);
      const joinerWrites = channel.joiners.size > 0 ? planJoinerWrites(channel, frames, batch, this.#o.metrics, delayed) : NO_WRITES;
      this.#count(batch, viewers.length);
      lane.writing = true;
      writeInChunks(joinerWrites, viewers, batch, () => {
        lane.writing = false;
        this.#scheduleRelease(channel);
      });
      return;
    }
    this.#scheduleRelease(channel);
  }
}
