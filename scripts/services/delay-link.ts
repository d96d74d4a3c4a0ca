// A simulated long-distance link between two regions on one machine: a TCP
// proxy that holds every chunk for a one-way delay in each direction, and can
// be cut (every connection closed, new ones closed at once) and healed. This
// machine's kernel has no netem, so the delay is applied in user space.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface DelayLinkOptions {
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  listenPort: number;
  /** Where connections go: 127.0.0.1:targetPort. */
  targetPort: number;
  /** One-way delay applied to each direction. */
  delayMs: number;
  /** Bytes one direction of one connection may hold before its sender is paused; 4 MiB unless given. */
  maxQueuedBytes?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class DelayLink {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #maxQueuedBytes: number;
  readonly #connections = new Set<Socket>();
  #delayMs: number;
  #cut = false;

  static async open(options: DelayLinkOptions): Promise<DelayLink> {
    const link = new DelayLink(options);
    link.#server.listen(options.listenPort, '127.0.0.1');
    await once(link.#server, 'listening');
    return link;
  }

  private constructor(options: DelayLinkOptions) {
    this.#targetPort = options.targetPort;
    this.#delayMs = checkedDelay(options.delayMs);
    this.#maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#server = createServer({ noDelay: true }, (client) => this.#accept(client));
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('delay link: not listening');
    return address.port;
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  /** Applies to bytes that arrive from now on; bytes already held keep their time. */
  set delayMs(ms: number) {
    this.#delayMs = checkedDelay(ms);
  }

  get isCut(): boolean {
    return this.#cut;
  }

  /** Sockets open through the link (two per proxied connection). */
  get openSockets(): number {
    return this.#connections.size;
  }

  /** Closes every connection (bytes still held are lost, as on a broken link) and closes new ones at once until `heal`. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#connections) socket.destroy();
  }

  /** Lets new connections through again; clients reconnect on their own. */
  heal(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #accept(client: Socket): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.#targetPort, noDelay: true });
    for (const socket of [client, upstream]) {
      this.#connections.add(socket);
      socket.once('close', () => {
        this.#connections.delete(socket);
        // Either side closing (or failing) ends the proxied connection.
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => {});
    }
    const delay = (): number => this.#delayMs;
    new DelayedPipe(client, upstream, delay, this.#maxQueuedBytes);
    new DelayedPipe(upstream, client, delay, this.#maxQueuedBytes);
  }
}

/** One direction of one connection: what `from` sends reaches `to` `delay()` milliseconds later, in order. */
class DelayedPipe {
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #delay: () => number;
  readonly #maxQueuedBytes: number;
  /** Chunks (or null: the sender's end) with the time each may leave; due times never decrease out of order because the queue is FIFO. */
  readonly #queue: Array<{ due: number; chunk: Buffer | null }> = [];
  #head = 0;
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(from: Socket, to: Socket, delay: () => number, maxQueuedBytes: number) {
    this.#from = from;
    this.#to = to;
    this.#delay = delay;
    this.#maxQueuedBytes = maxQueuedBytes;
    from.on('data', (chunk: Buffer) => this.#hold(chunk));
    from.once('end', () => this.#hold(null));
    to.on('drain', () => this.#resumeIfRoom());
    from.once('close', () => clearTimeout(this.#timer));
    to.once('close', () => clearTimeout(this.#timer));
  }

  #hold(chunk: Buffer | null): void {
    this.#queue.push({ due: performance.now() + this.#delay(), chunk });
    if (chunk !== null) this.#queuedBytes += chunk.length;
    if (this.#full()) this.#from.pause();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#head === this.#queue.length) return;
    const wait = Math.max(0, Math.ceil(this.#queue[this.#head]!.due - performance.now()));
    this.#timer = setTimeout(() => this.#release(), wait);
  }

  #release(): void {
    this.#timer = undefined;
    if (this.#to.destroyed) return;
    const now = performance.now();
    // A timer may fire a fraction of a millisecond early: nothing leaves before its due time.
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.due <= now) {
      const { chunk } = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      if (chunk === null) {
        this.#to.end();
      } else {
        this.#queuedBytes -= chunk.length;
        this.#to.write(chunk);
      }
    }
    if (this.#head === this.#queue.length || this.#head > 1024) {
      // Drop what has left, so a link that is never idle does not grow its array.
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#resumeIfRoom();
    this.#schedule();
  }

  #full(): boolean {
    return this.#queuedBytes + this.#to.writableLength > this.#maxQueuedBytes;
  }

  #resumeIfRoom(): void {
    if (this.#from.isPaused() && !this.#full()) this.#from.resume();
  }
}

function checkedDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new Error(`delay link: delay ${ms} ms is outside 0..60000`);
  return ms;
}
