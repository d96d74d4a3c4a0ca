import type { Bus, BusEvent, BusHandler, Unsubscribe } from './bus.ts';

export interface MemoryBusOptions {
  /** Where a throwing handler's error goes; the other subscribers still get the event. */
  onHandlerError?: (error: unknown, stream: string) => void;
}

interface Subscription {
  readonly handler: BusHandler;
  active: boolean;
}

/**
 * The embedded live bus: per-stream publish/subscribe inside one process.
 *
 * Each stream's subscribers are an array replaced on (rare) subscribe and
 * unsubscribe, so a publish iterates it without copying, and a stream nobody
 * watches costs one map miss. Delivery is synchronous, but an event published
 * from inside a handler is queued until the current event has reached every
 * subscriber, so every subscriber sees the same order.
 */
export class MemoryBus implements Bus {
  readonly #streams = new Map<string, readonly Subscription[]>();
  readonly #onHandlerError: (error: unknown, stream: string) => void;
  // Events published re-entrantly while another is being delivered.
  readonly #queue: Array<[string, BusEvent]> = [];
  #delivering = false;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#onHandlerError = options.onHandlerError ?? ((error, stream) => console.error(`bus handler for ${stream} failed`, error));
  }

  publish(stream: string, event: BusEvent): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('bus closed'));
    if (!this.#streams.has(stream)) return Promise.resolve();
    this.#queue.push([stream, event]);
    if (!this.#delivering) this.#drain();
    return Promise.resolve();
  }

  subscribe(stream: string, handler: BusHandler): Promise<Unsubscribe> {
    if (this.#closed) return Promise.reject(new Error('bus closed'));
    const subscription: Subscription = { handler, active: true };
    this.#streams.set(stream, [...(this.#streams.get(stream) ?? []), subscription]);
    return Promise.resolve(() => {
      this.#remove(stream, subscription);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const subscriptions of this.#streams.values()) for (const s of subscriptions) s.active = false;
    this.#streams.clear();
    this.#queue.length = 0;
    return Promise.resolve();
  }

  #drain(): void {
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const [stream, event] = next;
        for (const subscription of this.#streams.get(stream) ?? []) {
          // Unsubscribed by an earlier handler of this very event.
          if (!subscription.active) continue;
          try {
            subscription.handler(stream, event);
          } catch (error) {
            this.#onHandlerError(error, stream);
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }

  #remove(stream: string, subscription: Subscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    const rest = (this.#streams.get(stream) ?? []).filter((s) => s !== subscription);
    if (rest.length === 0) this.#streams.delete(stream);
    else this.#streams.set(stream, rest);
  }
}
