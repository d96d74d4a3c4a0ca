import type { Draft } from '../broker/broker.ts';
import type { GlobalOrderState, Message } from '../protocol/types.ts';
import { closeRedis, connectRedis, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';

/** What a gateway hands the owner of a partition's global order (src/regions/order-owners.ts). */
export type OrderRequest =
  | { k: 'local'; draft: Draft }
  | { k: 'remote'; draft: Draft; hlc: string }
  | { k: 'mark'; hlc: string; partition: number; partitions: number };

type Asked = Exclude<OrderRequest, { k: 'mark' }>;

type Frame =
  | (OrderRequest & { r: number; from: string })
  | { k: 'ok'; r: number; m?: Message }
  | { k: 'fail'; r: number; text: string }
  | { k: 'moved'; r: number }
  | { k: 'state'; stream: string; state: GlobalOrderState };

/** The gateway asked no longer orders the line's partition: ask the new owner. */
export class OwnerMoved extends Error {}

export interface OrderRelayOptions extends RedisSeamOptions {
  /** This gateway's address: its channel's name. */
  self: string;
  /** How long an asked owner may take (the hold, then the line's way into the order). */
  timeoutMs: number;
  /** Requests awaiting an answer at most; more fail at once. */
  maxPending: number;
  /** This gateway as an owner: a request for a partition it orders; throw OwnerMoved if it does not. */
  handle: (request: OrderRequest) => Promise<Message | undefined> | undefined;
  /** An owner told a stream's global order state (every gateway shows it in `state`). */
  onState: (stream: string, state: GlobalOrderState) => void;
}

interface Pending {
  resolve: (message: Message | undefined) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * The gateways of one region talking about the global order over Redis
 * pub/sub: a line or a peer's watermark goes to its partition's owner, the
 * owner answers once the line is in the region's order, and tells every
 * gateway when a stream's order is degraded or whole. One publishing
 * connection, so what one gateway hands over arrives in the order it was
 * handed (a peer's line before the watermark that passes it).
 */
export class OrderRelay {
  readonly #o: OrderRelayOptions;
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  static async connect(options: OrderRelayOptions): Promise<OrderRelay> {
    const connect = (role: string): Promise<RedisClient> => connectRedis({ url: options.url, cluster: options.cluster, name: `chorus-order-${role}`, commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    const publisher = await connect('pub');
    const subscriber = await connect('sub').catch(async (err: unknown) => {
      await closeRedis(publisher);
      throw err;
    });
    const relay = new OrderRelay(options, publisher, subscriber);
    try {
      const listener = (payload: string | Buffer): void => relay.#take(payload.toString());
      await Promise.all([subscriber.subscribe(relay.#channel(options.self), listener), subscriber.subscribe(relay.#channel('all'), listener)]);
    } catch (err) {
      await relay.close();
      throw err;
    }
    return relay;
  }

  private constructor(options: OrderRelayOptions, publisher: RedisClient, subscriber: RedisClient) {
    this.#o = options;
    this.#publisher = publisher;
    this.#subscriber = subscriber;
  }

  /** Hands a line to `owner`; resolves with what the owner's order made of it. */
  ask(owner: string, request: Asked): Promise<Message | undefined> {
    if (this.#pending.size >= this.#o.maxPending) return Promise.reject(new Error(`${this.#pending.size} lines already wait for their partitions' owners`));
    const r = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(r);
        reject(new Error(`the gateway ordering ${request.draft.stream} (${owner}) did not answer within ${this.#o.timeoutMs} ms`));
      }, this.#o.timeoutMs);
      this.#pending.set(r, { resolve, reject, timer });
      this.#send(owner, { ...request, r, from: this.#o.self }).catch((err: unknown) => {
        clearTimeout(timer);
        this.#pending.delete(r);
        reject(err);
      });
    });
  }

  /** Hands a peer's watermark to `owner` (nothing answers). */
  tell(owner: string, mark: Extract<OrderRequest, { k: 'mark' }>): void {
    this.#send(owner, { ...mark, r: -1, from: this.#o.self }).catch(this.#o.onError);
  }

  /** Tells every gateway of the region a stream's order state. */
  announce(stream: string, state: GlobalOrderState): Promise<void> {
    return this.#send('all', { k: 'state', stream, state });
  }

  async close(): Promise<void> {
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new Error('this gateway is shutting down'));
    }
    this.#pending.clear();
    await Promise.all([closeRedis(this.#publisher), closeRedis(this.#subscriber)]);
  }

  async #send(to: string, frame: Frame): Promise<void> {
    await withDeadline(this.#publisher.publish(this.#channel(to), JSON.stringify(frame)), this.#o.commandTimeoutMs);
  }

  #take(payload: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(payload) as Frame;
    } catch (err) {
      this.#o.onError(err);
      return;
    }
    switch (frame.k) {
      case 'state':
        this.#o.onState(frame.stream, frame.state);
        return;
      case 'ok':
      case 'fail':
      case 'moved':
        this.#answered(frame);
        return;
      default:
        this.#serve(frame);
    }
  }

  #serve(frame: OrderRequest & { r: number; from: string }): void {
    const { r, from, ...request } = frame;
    let done: Promise<Message | undefined> | undefined;
    try {
      done = this.#o.handle(request as OrderRequest);
    } catch (err) {
      done = Promise.reject(err);
    }
    if (done === undefined || r < 0) {
      done?.catch(this.#o.onError);
      return;
    }
    done.then(
      (m) => this.#send(from, m === undefined ? { k: 'ok', r } : { k: 'ok', r, m }),
      (err: unknown) => this.#send(from, err instanceof OwnerMoved ? { k: 'moved', r } : { k: 'fail', r, text: err instanceof Error ? err.message : String(err) }),
    ).catch(this.#o.onError);
  }

  #answered(frame: Extract<Frame, { k: 'ok' | 'fail' | 'moved' }>): void {
    const pending = this.#pending.get(frame.r);
    if (pending === undefined) return; // timed out already
    this.#pending.delete(frame.r);
    clearTimeout(pending.timer);
    if (frame.k === 'ok') pending.resolve(frame.m);
    else pending.reject(frame.k === 'moved' ? new OwnerMoved() : new Error(frame.text));
  }

  #channel(to: string): string {
    return `${this.#o.keyPrefix}region-order:${to}`;
  }
}
