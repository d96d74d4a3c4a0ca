import type { Draft } from '../broker/broker.ts';
import { partitionOf } from '../log/kafka/records.ts';
import type { GlobalOrderState, Message } from '../protocol/types.ts';
import type { GlobalStreams } from './global-streams.ts';
import { formatHlc, parseHlc, type Hlc } from './hlc.ts';
import type { OrderOwners } from './order-owners.ts';
import { OwnerMoved, type OrderRelay, type OrderRequest } from './order-relay.ts';

/** What the broker and the peers' intake hand a stream in global order to. */
export type GlobalOrdering = Pick<GlobalStreams, 'local' | 'remote' | 'watermark' | 'leave' | 'state'>;

export interface OrderRouterOptions {
  /** This gateway's own mergers: the streams of the partitions it owns. */
  streams: GlobalStreams;
  owners: OrderOwners;
  relay: Pick<OrderRelay, 'ask' | 'tell'>;
  /** Partitions of this region's log (the peers' topics have as many). */
  partitions: number;
  now?: () => number;
}

const WHOLE: GlobalOrderState = { degraded: false, leftOut: [] };
// An owner tells a state when it changes; one heard longer ago than this (its owner gone since) is not shown.
const HEARD_MS = 60_000;

/**
 * Several gateways in one region (docs/regions.md, "Several gateways in a
 * region"): every global-order line and peer watermark goes to the gateway
 * owning its stream's partition, which stamps, holds and releases them for
 * the whole region (src/regions/global-streams.ts); the others forward
 * through the relay and pass on the owner's answer. Lines and watermarks of
 * one partition are handed over one after another, so the owner gets a
 * peer's line before a watermark that passes it.
 */
export class OrderRouter implements GlobalOrdering {
  readonly #o: OrderRouterOptions;
  readonly #now: () => number;
  /** Per partition: the last hand-over of a peer's line or watermark, so the next waits for it. */
  readonly #handing = new Map<number, Promise<unknown>>();
  /** States the owners told, by stream. */
  readonly #heard = new Map<string, { state: GlobalOrderState; at: number }>();

  constructor(options: OrderRouterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** A line sent here: resolves once the owner has it in this region's order. */
  async local(draft: Draft): Promise<Message> {
    const partition = partitionOf(draft.stream, this.#o.partitions);
    for (let attempt = 0; ; attempt++) {
      const owner = (await this.#o.owners.ownerOf(partition, true))!;
      if (owner === this.#o.owners.self) return this.#o.streams.local(draft);
      try {
        return (await this.#o.relay.ask(owner, { k: 'local', draft })) as Message;
      } catch (err) {
        // Ownership moved between the look-up and the owner: once more, at the new owner.
        if (!(err instanceof OwnerMoved) || attempt > 0) throw err;
        this.#o.owners.forget(partition);
      }
    }
  }

  /** A peer's line: resolves once the owner has it in this region's order (a failure makes the peer's batch come again). */
  remote(draft: Draft, hlc: Hlc): Promise<unknown> {
    const partition = partitionOf(draft.stream, this.#o.partitions);
    return this.#inTurn(partition, true, (owner) => {
      if (owner === this.#o.owners.self) return this.#o.streams.remote(draft, hlc);
      return this.#o.relay.ask(owner!, { k: 'remote', draft, hlc: formatHlc(hlc) }).catch((err: unknown) => {
        this.#o.owners.forget(partition);
        throw err;
      });
    });
  }

  watermark(hlc: Hlc, partition: number, partitions: number): void {
    this.#inTurn(partition, false, async (owner) => {
      // No owner: no stream of the partition is in global order in this region.
      if (owner === this.#o.owners.self) this.#o.streams.watermark(hlc, partition, partitions);
      else if (owner !== undefined) this.#o.relay.tell(owner, { k: 'mark', hlc: formatHlc(hlc), partition, partitions });
    }).catch(() => {}); // the next watermark comes within a heartbeat
  }

  /** Only the owner holds lines; on the others there is nothing to let out. */
  leave(stream: string): void {
    this.#o.streams.leave(stream);
  }

  state(stream: string): GlobalOrderState {
    if (this.#o.owners.owns(partitionOf(stream, this.#o.partitions))) return this.#o.streams.state(stream);
    const heard = this.#heard.get(stream);
    return heard !== undefined && this.#now() - heard.at < HEARD_MS ? heard.state : WHOLE;
  }

  /** An owner told every gateway a stream's state (src/regions/order-relay.ts). */
  heard(stream: string, state: GlobalOrderState): void {
    if (state.degraded) this.#heard.set(stream, { state, at: this.#now() });
    else this.#heard.delete(stream);
  }

  /** A request the relay brought to this gateway as an owner. */
  serve(request: OrderRequest): Promise<Message | undefined> | undefined {
    const partition = request.k === 'mark' ? request.partition : partitionOf(request.draft.stream, this.#o.partitions);
    if (!this.#o.owners.owns(partition)) {
      // A watermark sent to a former owner is dropped: the next one, a heartbeat later, finds the new owner.
      if (request.k === 'mark') return undefined;
      throw new OwnerMoved();
    }
    switch (request.k) {
      case 'local':
        return this.#o.streams.local(request.draft);
      case 'remote':
        return this.#o.streams.remote(request.draft, parseStamp(request.hlc)).then(() => undefined);
      case 'mark':
        this.#o.streams.watermark(parseStamp(request.hlc), request.partition, request.partitions);
        return undefined;
    }
  }

  /**
   * Looks up the partition's owner once the partition's previous hand-over
   * is done, then hands over at once (`handOver` sends before it returns),
   * so one partition's lines and watermarks reach the owner in arrival order.
   * Resolves with the owner's answer; a turn never waits for an answer.
   */
  #inTurn<T>(partition: number, claim: boolean, handOver: (owner: string | undefined) => Promise<T>): Promise<T> {
    let answer!: Promise<T>;
    const turn = (this.#handing.get(partition) ?? Promise.resolve()).then(async () => {
      answer = handOver(await this.#o.owners.ownerOf(partition, claim));
    });
    const settled = turn.catch(() => {});
    this.#handing.set(partition, settled);
    void settled.then(() => {
      if (this.#handing.get(partition) === settled) this.#handing.delete(partition);
    });
    return turn.then(() => answer);
  }
}

function parseStamp(text: string): Hlc {
  const stamp = parseHlc(text);
  if (stamp === undefined) throw new Error(`not a stamp: ${text.slice(0, 64)}`);
  return stamp;
}
