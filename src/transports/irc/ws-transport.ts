import type { WebSocket } from 'ws';
import { writePreframed } from '../../net/ws-write.ts';
import type { CloseReason, Transport, TransportEvents } from '../../session/transport.ts';
import { PING_LINE } from './twitch-lines.ts';

const CLOSE_GRACE_MS = 5_000;

/**
 * IRC over WebSocket as tmi.js and irc-framework speak it: text frames, one
 * or more lines each (with or without CR LF) from the client, CRLF-separated
 * lines to it.
 */
export class WsTransport implements Transport {
  readonly name = 'irc-ws';
  readonly wsFramed = true;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  get backlog(): number {
    return this.#ws.bufferedAmount;
  }

  listen(events: TransportEvents): void {
    this.#ws.on('close', () => events.closed());
    this.#ws.on('error', () => undefined);
    this.#ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed === '') continue;
        events.alive();
        events.received(trimmed, false);
      }
    });
  }

  write(text: string): void {
    this.#ws.send(text);
  }

  writeShared(bytes: Buffer): boolean {
    return writePreframed(this.#ws, bytes);
  }

  ping(): void {
    this.write(PING_LINE);
  }

  /** IRC has no close codes of its own; a reader too far behind gets the v1 one (4008). */
  close(reason: CloseReason): void {
    if (reason === 'slow') this.#ws.close(4008, 'slow consumer: not reading fast enough');
    else this.#ws.close(1000);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
