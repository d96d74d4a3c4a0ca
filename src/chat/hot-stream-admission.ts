import type { Sampler } from './sampler.ts';

export interface HotStreamAdmissionOptions {
  sampler: Sampler;
  /** The sampling threshold (msg/s) a stream's rate is compared with. */
  threshold: number;
  /** A stream above `multiple` times its threshold is hot; 0 turns admission off. */
  multiple: number;
  /** How late the event loop runs now (ms). */
  loopLagMs: () => number;
  /** Loop lag above which the gateway counts as short of CPU. */
  shortLoopLagMs: number;
}

/**
 * Admission for a hot stream (docs/decisions.md, "Hot-stream admission"):
 * sampling already hides most of a stream far above its threshold, but
 * every sampled-out send is still checked, stamped, stored and acknowledged,
 * and on a gateway short of CPU that ingest starves every other stream's
 * fan-out. So while this gateway is short (a stream's fan-out over budget
 * here, or the event loop late) a stream whose rate is above `multiple`
 * times the threshold has its ordinary sends refused before any stamping.
 * The privileged (roles: subscriber, VIP, moderator, broadcaster) are
 * always let in, as sampling always keeps them.
 */
export class HotStreamAdmission {
  readonly #o: HotStreamAdmissionOptions;
  readonly #hotRate: number;

  constructor(options: HotStreamAdmissionOptions) {
    this.#o = options;
    this.#hotRate = options.threshold * options.multiple;
  }

  admits(stream: string, privileged: boolean, now: number): boolean {
    const o = this.#o;
    if (privileged || o.multiple === 0) return true;
    if (o.sampler.perSecond(stream, now) < this.#hotRate) return true;
    return !o.sampler.fanoutBehind() && o.loopLagMs() <= o.shortLoopLagMs;
  }
}
