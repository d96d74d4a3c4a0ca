import type { Broker, Draft } from '../broker/broker.ts';
import type { HistoryPage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import type { GlobalOrdering } from './order-router.ts';
import { formatHlc, type HybridClock } from './hlc.ts';
import type { StreamOrderings } from './stream-orderings.ts';

/** How a gateway routes its streams in `modes.ordering: global` (absent: every stream in regional order). */
export interface GlobalRouting {
  orderings: StreamOrderings;
  streams: GlobalOrdering;
}

/**
 * The broker of a gateway in multi-region mode: a line accepted here is
 * stamped with this region as its `origin` and with the region's hybrid
 * logical clock (stored beside it in the log, for the global order and the
 * conflict rule). In regional order it then goes through the cluster broker
 * as in one region: this region's seq, the local live bus, the local Kafka
 * log, which MirrorMaker 2 copies to the peers (src/regions/remote-lines.ts
 * takes it in there). In global order it goes through the stream's merger
 * first (src/regions/global-streams.ts); sampled lines never wait, they
 * are shown nowhere.
 */
export class RegionalBroker implements Broker {
  readonly #inner: Broker;
  readonly #clock: HybridClock;
  readonly #global: GlobalRouting | undefined;

  constructor(inner: Broker, clock: HybridClock, global?: GlobalRouting) {
    this.#inner = inner;
    this.#clock = clock;
    this.#global = global;
  }

  async publish(draft: Draft, sampled: boolean): Promise<Message> {
    if (this.#global !== undefined && !sampled) {
      if ((await this.#global.orderings.get(draft.stream)) === 'global') return this.#global.streams.local(draft);
      this.#global.streams.leave(draft.stream);
    }
    return this.#inner.publish({ ...draft, origin: this.#clock.region, hlc: formatHlc(this.#clock.now()) }, sampled);
  }

  latest(stream: string, limit: number): Promise<HistoryPage> {
    return this.#inner.latest(stream, limit);
  }

  since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    return this.#inner.since(stream, afterSeq, limit);
  }

  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    return this.#inner.range(stream, fromMs, toMs, limit, includeSampled);
  }

  lastSeq(stream: string): Promise<number> {
    return this.#inner.lastSeq(stream);
  }
}
