import type { RegionLog } from '../log/log.ts';
import type { GlobalStreams } from './global-streams.ts';
import { formatHlc, type HybridClock } from './hlc.ts';

export interface HeartbeatsOptions {
  intervalMs: number;
  global: GlobalStreams;
  log: RegionLog;
  clock: HybridClock;
  onError: (err: unknown) => void;
}

/**
 * Every `regionHeartbeatMs`: this gateway's global orders tick (own
 * watermark, hold bound), and while any stream here is in global order the
 * region's watermark goes to every partition of its log, so the peers'
 * mergers need not wait for its next line. One heartbeat covers every
 * stream (docs/decisions.md, "Regions: one watermark heartbeat per
 * partition"); one in flight at a time, so a slow Kafka queues none.
 */
export class Heartbeats {
  readonly #o: HeartbeatsOptions;
  readonly #timer: NodeJS.Timeout;
  #sending = false;

  constructor(options: HeartbeatsOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.#beat(), options.intervalMs).unref();
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    return Promise.resolve();
  }

  #beat(): void {
    this.#o.global.tick();
    if (!this.#o.global.active || this.#sending) return;
    this.#sending = true;
    this.#o.log.appendWatermark(formatHlc(this.#o.clock.now())).catch(this.#o.onError).finally(() => {
      this.#sending = false;
    });
  }
}
