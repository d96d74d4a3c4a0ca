import type { HllViewerCounter } from '../viewers/hll-viewer-count.ts';
import type { ViewerCounter } from '../viewers/viewer-count.ts';
import { encodeShared, type ViewerRegister } from './shared-records.ts';

export interface ViewerExchangeOptions {
  /** This region's HyperLogLog counter. */
  counter: HllViewerCounter;
  region: string;
  peers: readonly string[];
  /** Writes one register to this region's viewers topic. */
  write: (stream: string, record: Buffer) => Promise<void>;
  /** Region-wide: true for the one gateway that sends the stream's register this interval (SET NX with a lifetime). */
  claim: (stream: string, forMs: number) => Promise<boolean>;
  /** How often a stream's register is sent (default 5 s). */
  intervalMs?: number;
  now?: () => number;
  onError: (err: unknown) => void;
}

const INTERVAL_MS = 5_000;
// A peer's register counts for three intervals: one lost or late record does not drop its viewers, a region gone does.
const KEEP_INTERVALS = 3;
// Streams one gateway sends registers for per interval: the rate stays bounded however many streams it carries.
const MAX_STREAMS = 1_000;

/**
 * Viewer counts over regions (docs/regions.md, "Viewer counts"): each
 * region sends its register of each watched stream to its peers every
 * `intervalMs` (one gateway of the region per stream and interval), keeps
 * the peers' latest registers, and counts with them merged (PFMERGE):
 * `count` is the global figure and `countByRegion` adds each region's.
 * A stream is watched here while the hub counts it (it does so every
 * stateIntervalMs for each stream with viewers on this gateway).
 */
export class ViewerExchange implements ViewerCounter {
  readonly #o: Required<ViewerExchangeOptions>;
  /** Streams counted lately, and when last. */
  readonly #watched = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #sending = false;

  constructor(options: ViewerExchangeOptions) {
    this.#o = { intervalMs: INTERVAL_MS, now: Date.now, ...options };
    this.#timer = setInterval(() => this.#send(), this.#o.intervalMs);
    this.#timer.unref();
  }

  join(stream: string, viewerId: string): void {
    this.#o.counter.join(stream, viewerId);
  }

  /** A HyperLogLog cannot forget: leavers age out with the window (hll-viewer-count.ts). */
  leave(): void {}

  heartbeat(stream: string, viewerIds: Iterable<string>): void {
    this.#o.counter.heartbeat(stream, viewerIds);
  }

  async count(stream: string): Promise<number> {
    return (await this.countByRegion(stream)).viewers;
  }

  countByRegion(stream: string): Promise<{ viewers: number; byRegion: Record<string, number> }> {
    this.#watched.delete(stream);
    this.#watched.set(stream, this.#o.now());
    if (this.#watched.size > MAX_STREAMS) this.#watched.delete(this.#watched.keys().next().value!);
    return this.#o.counter.countWithPeers(stream, this.#o.peers);
  }

  /** A peer's register; a stale one (a lagging consumer, a healed partition's backlog) is not used. */
  async take(peer: string, registers: readonly ViewerRegister[]): Promise<void> {
    const keepMs = KEEP_INTERVALS * this.#o.intervalMs;
    for (const r of registers) {
      if (r.origin !== peer || this.#o.now() - r.at > keepMs) continue;
      await this.#o.counter.storePeer(r.stream, peer, Buffer.from(r.hll, 'base64'), keepMs).catch(this.#o.onError);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#o.counter.close();
  }

  #send(): void {
    if (this.#sending) return;
    this.#sending = true;
    const now = this.#o.now();
    const streams = [...this.#watched].filter(([, at]) => now - at <= 2 * this.#o.intervalMs).map(([stream]) => stream);
    for (const [stream, at] of this.#watched) if (now - at > 2 * this.#o.intervalMs) this.#watched.delete(stream);
    void (async () => {
      for (const stream of streams) {
        try {
          // Claimed a little short of the interval, so next interval's claim is free again.
          if (!(await this.#o.claim(stream, Math.floor(this.#o.intervalMs * 0.9)))) continue;
          const register = await this.#o.counter.register(stream);
          if (register === undefined) continue;
          await this.#o.write(stream, encodeShared({ origin: this.#o.region, stream, at: this.#o.now(), hll: register.toString('base64') }));
        } catch (err) {
          this.#o.onError(err);
        }
      }
    })().finally(() => (this.#sending = false));
  }
}
