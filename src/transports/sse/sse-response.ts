import type { ServerResponse } from 'node:http';
import type { Transport, TransportEvents } from '../../session/transport.ts';

const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * A Server-Sent Events reader's HTTP response: write only. SSE has no close
 * codes, so every close cuts the response; the reader resumes with
 * Last-Event-ID.
 */
export class SseResponse implements Transport {
  readonly name = 'sse';
  readonly wsFramed = false;
  readonly deflated = false;
  readonly #res: ServerResponse;
  #events: TransportEvents | undefined;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get open(): boolean {
    return !this.#res.destroyed;
  }

  get backlog(): number {
    return this.#res.writableLength;
  }

  listen(events: TransportEvents): void {
    this.#events = events;
    this.#res.on('close', () => events.closed());
  }

  write(text: string): void {
    if (!this.#res.destroyed) this.#res.write(text);
  }

  writeShared(bytes: Buffer): boolean {
    if (!this.#res.destroyed) this.#res.write(bytes);
    return true;
  }

  /** A comment line keeps proxies from closing an idle stream. A reader cannot answer it: one that stops reading is caught by the backlog rule instead. */
  ping(): void {
    this.write(KEEP_ALIVE);
    this.#events?.alive();
  }

  close(): void {
    this.#res.destroy();
  }
}
