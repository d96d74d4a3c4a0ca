import type { RateState } from '../protocol/types.ts';

/**
 * What sampling and the fan-out tell each other: the fan-out asks a stream's
 * rate (its `state.rate`) and reports how late each fan-out of it ran, which
 * bends the stream's threshold on this gateway. `Sampler.forFanout` builds it.
 */
export interface FanoutSampling {
  rateOf(stream: string): RateState;
  /** After each fan-out: how long its oldest line waited here, stamp to written to every viewer (ms). */
  observeFanoutDelay(stream: string, delayMs: number): void;
}

/** How often changed rates go out as `state` frames: at most once a second per stream. */
export const RATE_PUBLISH_INTERVAL_MS = 1_000;
const BUCKETS = 10;
const BUCKET_MS = 100; // ten buckets: the rate over the last second
const IDLE_MS = 10_000;
// Sampling stops only once the rate falls this far below the threshold, so a
// stream hovering at the threshold does not flap the "too fast" banner.
const RELEASE_FACTOR = 0.8;
// When this gateway's fan-out of a stream falls behind, its share of the
// threshold is cut multiplicatively and grows back additively (as TCP's
// congestion window does): at most one step per STEP_MS, never below MIN_SCALE.
// A cut is budget / delay, between MAX_CUT and MIN_CUT: lines twice the budget
// late halve it at once, so a sudden burst is thinned within a second or two.
const STEP_MS = 500;
const MIN_CUT = 0.3;
const MAX_CUT = 0.7;
const GROWTH = 0.05;
const MIN_SCALE = 0.1;
// A stream's seq moving this far in one step is not traffic: its counter was
// restored above the log's newest after Redis lost it (src/broker/cluster-broker.ts,
// 100,000 above), and counted as messages it would read as a stream of
// 100,000 a second and sample out the next second of chat on every gateway.
const RENUMBERED_STEP = 50_000;

/**
 * Accepted messages per second of one stream over a sliding second: those
 * this process accepted, split by priority, and the whole stream's (all
 * gateways together), read from how far its seq moved.
 */
class StreamMeter {
  readonly all = new Uint32Array(BUCKETS);
  readonly priority = new Uint32Array(BUCKETS);
  /** The newest seq seen by the end of each bucket (0: none seen in it). */
  readonly seqs = new Float64Array(BUCKETS);
  newestSeq = 0;
  bucketStart = 0;
  index = 0;
  credit = 0;
  sampling = false;
  keepRatio = 1;
  lastSeen = 0;
  lastPublished: RateState | undefined;
  /** The fraction of the threshold this gateway allows now: below 1 while its fan-out is behind. */
  scale = 1;
  scaledAt = 0;

  advance(now: number): void {
    if (now - this.bucketStart < BUCKET_MS) return;
    const steps = Math.min(BUCKETS, Math.floor((now - this.bucketStart) / BUCKET_MS));
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % BUCKETS;
      this.all[this.index] = 0;
      this.priority[this.index] = 0;
      this.seqs[this.index] = this.newestSeq;
    }
    this.bucketStart = now - ((now - this.bucketStart) % BUCKET_MS);
  }

  /** The stream's seqs were renumbered `by` higher: the seqs kept move with them, so the jump counts as no messages. */
  renumber(by: number): void {
    for (let i = 0; i < BUCKETS; i++) if (this.seqs[i] !== 0) this.seqs[i] += by;
  }

  rate(): { all: number; priority: number; stream: number } {
    let all = 0;
    let priority = 0;
    for (let i = 0; i < BUCKETS; i++) {
      all += this.all[i]!;
      priority += this.priority[i]!;
    }
    // The oldest bucket's seq is where the stream stood a second ago.
    const before = this.seqs[(this.index + 1) % BUCKETS]!;
    const stream = before === 0 ? 0 : this.newestSeq - before;
    return { all, priority, stream: Math.max(all, stream) };
  }
}

/**
 * Broker-side sampling (PROTOCOL.md): decided once per message at acceptance,
 * so every viewer sees the same subset. Messages of privileged senders are
 * always kept; ordinary ones are kept at the ratio that brings the stream back
 * to the threshold, spread evenly by a credit counter rather than at random.
 * The threshold is the whole stream's: with several gateways each accepting a
 * share, each keeps its share of the threshold (the stream's rate comes from
 * its seqs, which count every gateway's messages).
 *
 * The threshold also bends to what the gateway can deliver: the hub reports
 * how long each line of a stream waited here before it was on every socket,
 * and past `fanoutBudgetMs` the stream's threshold on this gateway shrinks
 * until its fan-out keeps up again, so a stream larger than the gateway can
 * carry is thinned (and says so in `state.rate`) rather than delayed without
 * bound. Gateways under the same load shrink alike.
 */
export class Sampler {
  readonly #threshold: number;
  readonly #fanoutBudgetMs: number;
  readonly #meters = new Map<string, StreamMeter>();
  /** Streams whose fan-out here is behind (scale below 1): the gateway is then short of CPU. */
  #behind = 0;

  constructor(thresholdPerSecond: number, fanoutBudgetMs = Number.POSITIVE_INFINITY) {
    this.#threshold = thresholdPerSecond;
    this.#fanoutBudgetMs = fanoutBudgetMs;
  }

  /**
   * How long the oldest line of a fan-out waited on this gateway (stamp to
   * written to every viewer's socket). Over the budget, the stream's
   * threshold here is cut; under half of it, it grows back.
   */
  observeFanoutDelay(stream: string, delayMs: number, now: number): void {
    const meter = this.#meters.get(stream);
    if (meter === undefined || now - meter.scaledAt < STEP_MS) return;
    const wasBehind = meter.scale < 1;
    if (delayMs > this.#fanoutBudgetMs && meter.scale > MIN_SCALE) meter.scale = Math.max(MIN_SCALE, meter.scale * Math.min(MAX_CUT, Math.max(MIN_CUT, this.#fanoutBudgetMs / delayMs)));
    else if (delayMs < this.#fanoutBudgetMs / 2 && meter.scale < 1) meter.scale = Math.min(1, meter.scale + GROWTH);
    else return;
    this.#behind += Number(meter.scale < 1) - Number(wasBehind);
    meter.scaledAt = now;
    this.#update(meter);
  }

  /** Counts one accepted message and says whether it is broadcast. */
  keep(stream: string, priority: boolean, now: number): boolean {
    let meter = this.#meters.get(stream);
    if (meter === undefined) {
      meter = new StreamMeter();
      meter.bucketStart = now;
      this.#meters.set(stream, meter);
    }
    meter.advance(now);
    meter.lastSeen = now;
    meter.all[meter.index]!++;
    if (priority) meter.priority[meter.index]!++;
    this.#update(meter);
    if (priority || !meter.sampling) return true;
    meter.credit += meter.keepRatio;
    if (meter.credit >= 1) {
      meter.credit -= 1;
      return true;
    }
    return false;
  }

  /** A seq the stream reached (stamped here or anywhere), for the stream's own rate. */
  observeSeq(stream: string, seq: number, now: number): void {
    const meter = this.#meters.get(stream);
    if (meter === undefined || seq <= meter.newestSeq) return;
    meter.advance(now);
    if (meter.newestSeq > 0 && seq - meter.newestSeq > RENUMBERED_STEP) meter.renumber(seq - meter.newestSeq - 1);
    meter.newestSeq = seq;
  }

  #update(meter: StreamMeter): void {
    const { all, priority, stream } = meter.rate();
    const threshold = this.#threshold * meter.scale;
    if (!meter.sampling && stream > threshold) meter.sampling = true;
    else if (meter.sampling && stream < threshold * RELEASE_FACTOR) meter.sampling = false;
    const ordinary = all - priority;
    const share = stream === 0 ? 1 : all / stream;
    meter.keepRatio = !meter.sampling || ordinary === 0 ? 1 : Math.min(1, Math.max(0, threshold * share - priority) / ordinary);
  }

  /** Accepted messages of the stream over the last second. */
  perSecond(stream: string, now: number): number {
    const meter = this.#meters.get(stream);
    if (meter === undefined) return 0;
    meter.advance(now);
    return meter.rate().stream;
  }

  rateOf(stream: string, now: number): RateState {
    const meter = this.#meters.get(stream);
    if (meter === undefined) return { perSecond: 0, sampling: false, keepRatio: 1 };
    meter.advance(now);
    this.#update(meter);
    return { perSecond: meter.rate().stream, sampling: meter.sampling, keepRatio: Math.round(meter.keepRatio * 1000) / 1000 };
  }

  /**
   * Rates that changed since the last call, for the `state` frames; forgets
   * streams idle for a while so memory follows the active streams only.
   */
  changedRates(now: number): Array<[string, RateState]> {
    const changed: Array<[string, RateState]> = [];
    for (const [stream, meter] of this.#meters) {
      const rate = this.rateOf(stream, now);
      const last = meter.lastPublished;
      if (last === undefined || last.perSecond !== rate.perSecond || last.sampling !== rate.sampling || last.keepRatio !== rate.keepRatio) {
        meter.lastPublished = rate;
        changed.push([stream, rate]);
      }
      if (now - meter.lastSeen > IDLE_MS && rate.perSecond === 0) {
        if (meter.scale < 1) this.#behind--;
        this.#meters.delete(stream);
      }
    }
    return changed;
  }

  /** This sampler as the fan-out uses it, on the clock `now`. */
  forFanout(now: () => number): FanoutSampling {
    return {
      rateOf: (stream) => this.rateOf(stream, now()),
      observeFanoutDelay: (stream, delayMs) => this.observeFanoutDelay(stream, delayMs, now()),
    };
  }

  /** Whether any stream's fan-out on this gateway is over its budget now. */
  fanoutBehind(): boolean {
    return this.#behind > 0;
  }

  samplingStreams(): number {
    let n = 0;
    for (const meter of this.#meters.values()) if (meter.sampling) n++;
    return n;
  }
}
