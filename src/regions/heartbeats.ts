import type { RegionLog } from '../log/log.ts';
import type { GlobalStreams } from './global-streams.ts';
import { formatHlc, type HybridClock } from './hlc.ts';
import type { OrderOwners } from './order-owners.ts';

export interface HeartbeatsOptions {
  intervalMs: number;
  global: GlobalStreams;
  owners: OrderOwners;
  log: RegionLog;
  clock: HybridClock;
  onError: (err: unknown) => void;
}

/**
 * Every `regionHeartbeatMs`: this gateway's global orders tick (own
 * watermark, hold bound), its claims on partitions are kept, and while any
 * stream here is in global order the region's watermark goes to each
 * partition this gateway orders (the only stamper of that partition's
 * global lines in the region: src/regions/order-owners.ts), so the peers'
 * mergers need not wait for its next line. One heartbeat covers every
 * stream of a partition (docs/decisions.md, "Regions: one watermark
 * heartbeat per partition"); one in flight at a time, so a slow Kafka or
 * Redis queues none.
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
    if (this.#sending) return;
    this.#sending = true;
    const renewed = this.#o.owners.renew();
    const marked = this.#o.global.active ? this.#o.log.appendWatermark(formatHlc(this.#o.clock.now()), this.#o.owners.owned()) : undefined;
    Promise.all([renewed, marked]).catch(this.#o.onError).finally(() => {
      this.#sending = false;
    });
  }
}
