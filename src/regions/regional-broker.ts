import type { Broker, Draft } from '../broker/broker.ts';
import type { HistoryPage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import { formatHlc, type HybridClock } from './hlc.ts';

/**
 * The broker of a gateway in multi-region mode: a line accepted here is
 * stamped with this region as its `origin` and with the region's hybrid
 * logical clock (stored beside it in the log, for the global order and the
 * conflict rule), then goes through the cluster broker as in one region:
 * this region's seq, the local live bus, the local Kafka log, which
 * MirrorMaker 2 copies to the peers (src/regions/remote-lines.ts takes it in there).
 */
export class RegionalBroker implements Broker {
  readonly #inner: Broker;
  readonly #clock: HybridClock;

  constructor(inner: Broker, clock: HybridClock) {
    this.#inner = inner;
    this.#clock = clock;
  }

  publish(draft: Draft, sampled: boolean): Promise<Message> {
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
