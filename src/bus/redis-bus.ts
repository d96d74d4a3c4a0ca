import type { Bus, BusEvent, BusHandler, Unsubscribe } from './bus.ts';
import { decodeBusEvent, encodeBusEvent } from './bus-event-codec.ts';
import { busChannel } from '../redis/stream-keys.ts';
import { closeRedis, connectRedis, onReconnected, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';

export interface RedisBusOptions extends RedisSeamOptions {
  /** SSUBSCRIBE/SPUBLISH: on Redis Cluster a channel lives on one shard instead of being broadcast to every node. */
  sharded: boolean;
  /** Where a throwing handler's error, or an event that cannot be decoded, goes. */
  onHandlerError: (error: unknown, stream: string) => void;
  /**
   * Called each time the subscriber connection is back after losing Redis and
   * every channel is subscribed again. Events published while it was away are
   * lost to this process (pub/sub keeps nothing), so this is the moment to
   * refill subscribed streams from the durable log.
   */
  onResubscribed?: () => void;
}

interface Subscription {
  readonly handler: BusHandler;
  active: boolean;
}

/** One stream this process subscribes to: its local subscribers share one Redis subscription. */
interface Channel {
  readonly stream: string;
  subscriptions: readonly Subscription[];
  /** Settles when Redis has confirmed the subscription. */
  readonly ready: Promise<void>;
}

/**
 * The live bus on Redis pub/sub: one channel per stream. A process holds one
 * Redis subscription per stream while it has at least one local subscriber of
 * it, and fans each event out to them in process, decoded once. Publishes go
 * over their own connection, so a busy subscriber connection never delays them.
 *
 * Redis delivers a channel's messages to every subscriber in the order it
 * executed the PUBLISH commands, so every gateway sees one stream's events in
 * the same order; one publisher's events keep its publish order because they
 * share a connection.
 */
export class RedisBus implements Bus {
  readonly #publisher: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #options: RedisBusOptions;
  /** By Redis channel name. */
  readonly #channels = new Map<string, Channel>();
  /** Channels whose UNSUBSCRIBE failed (Redis was away); retried when it is back. */
  readonly #leftover = new Set<string>();
  // One listener for every channel: the client keeps listeners in a set, so a
  // channel can never end up with two of them, whatever order subscribes,
  // failed unsubscribes and reconnections come in.
  readonly #listener = (payload: string | Buffer, channel: string | Buffer): void => this.#deliver(channel.toString(), payload.toString());
  #closed = false;

  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const connect = (role: string) => connectRedis({ url: options.url, cluster: options.cluster, name: `chorus-bus-${role}`, commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    const publisher = await connect('pub');
    const subscriber = await connect('sub').catch(async (err: unknown) => {
      await closeRedis(publisher);
      throw err;
    });
    return new RedisBus(publisher, subscriber, options);
  }

  private constructor(publisher: RedisClient, subscriber: RedisClient, options: RedisBusOptions) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#options = options;
    // Ready again follows every reconnection, after the client has subscribed again to every channel.
    onReconnected(subscriber, () => {
      if (this.#closed) return;
      this.#retryLeftovers();
      options.onResubscribed?.();
    });
  }

  async publish(stream: string, event: BusEvent): Promise<void> {
    if (this.#closed) throw new Error('bus closed');
    const name = this.#channelName(stream);
    const payload = encodeBusEvent(event);
    await withDeadline(this.#options.sharded ? this.#publisher.sPublish(name, payload) : this.#publisher.publish(name, payload), this.#options.commandTimeoutMs);
  }

  async subscribe(stream: string, handler: BusHandler): Promise<Unsubscribe> {
    if (this.#closed) throw new Error('bus closed');
    const name = this.#channelName(stream);
    const subscription: Subscription = { handler, active: true };
    const channel = this.#channels.get(name) ?? this.#open(name, stream);
    channel.subscriptions = [...channel.subscriptions, subscription];
    try {
      await channel.ready;
    } catch (err) {
      subscription.active = false;
      throw err;
    }
    return () => this.#remove(name, subscription);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const channel of this.#channels.values()) for (const s of channel.subscriptions) s.active = false;
    this.#channels.clear();
    await Promise.all([closeRedis(this.#publisher), closeRedis(this.#subscriber)]);
  }

  /** Starts this process's Redis subscription to a stream; a failed one is forgotten, so the next subscribe tries again. */
  #open(name: string, stream: string): Channel {
    this.#leftover.delete(name);
    const subscribing = this.#options.sharded ? this.#subscriber.sSubscribe(name, this.#listener) : this.#subscriber.subscribe(name, this.#listener);
    const ready = withDeadline(subscribing, this.#options.commandTimeoutMs);
    const channel: Channel = { stream, subscriptions: [], ready };
    this.#channels.set(name, channel);
    ready.catch(() => {
      if (this.#channels.get(name) === channel) this.#channels.delete(name);
    });
    return channel;
  }

  #deliver(name: string, payload: string): void {
    const channel = this.#channels.get(name);
    // A channel being unsubscribed, or a leftover: nobody here watches it.
    if (channel === undefined) return;
    let event: BusEvent;
    try {
      event = decodeBusEvent(channel.stream, payload);
    } catch (err) {
      this.#options.onHandlerError(err, channel.stream);
      return;
    }
    for (const subscription of channel.subscriptions) {
      // Unsubscribed by an earlier handler of this very event.
      if (!subscription.active) continue;
      try {
        subscription.handler(channel.stream, event);
      } catch (err) {
        this.#options.onHandlerError(err, channel.stream);
      }
    }
  }

  /**
   * Never rejects: this process stops delivering at once; if Redis cannot be
   * told now, the channel is unsubscribed when Redis is back.
   */
  async #remove(name: string, subscription: Subscription): Promise<void> {
    if (!subscription.active) return;
    subscription.active = false;
    const channel = this.#channels.get(name);
    if (channel === undefined) return;
    channel.subscriptions = channel.subscriptions.filter((s) => s !== subscription);
    if (channel.subscriptions.length > 0 || this.#closed) return;
    // The last local subscriber left. A later subscribe opens a new channel;
    // Redis runs the UNSUBSCRIBE and the SUBSCRIBE in the order they were sent.
    this.#channels.delete(name);
    await this.#unsubscribe(name);
  }

  async #unsubscribe(name: string): Promise<void> {
    try {
      await withDeadline(this.#options.sharded ? this.#subscriber.sUnsubscribe(name, this.#listener) : this.#subscriber.unsubscribe(name, this.#listener), this.#options.commandTimeoutMs);
    } catch (err) {
      if (this.#closed || this.#channels.has(name)) return;
      this.#leftover.add(name);
      this.#options.onError(err);
    }
  }

  #retryLeftovers(): void {
    const names = [...this.#leftover];
    this.#leftover.clear();
    for (const name of names) if (!this.#channels.has(name)) void this.#unsubscribe(name);
  }

  #channelName(stream: string): string {
    return busChannel(this.#options.keyPrefix, stream);
  }
}
