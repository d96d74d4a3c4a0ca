import type { WebSocket } from 'ws';
import { writePreframed } from '../net/ws-write.ts';
import type { CloseReason, Transport, TransportEvents } from '../session/transport.ts';

/** How long a closing peer has to answer the close frame before its socket is cut. */
const CLOSE_GRACE_MS = 5_000;

/**
 * What every protocol spoken over a WebSocket (v1 JSON, IRC) shares: state,
 * backlog, text and pre-framed writes, and a close that cannot hang. Each
 * protocol adds how frames become inbound events, its heartbeat and its
 * close codes.
 */
export abstract class WebSocketTransport implements Transport {
  abstract readonly name: string;
  readonly wsFramed = true;
  readonly deflated: boolean;
  protected readonly ws: WebSocket;

  /** `deflated`: the upgrade negotiated permessage-deflate as src/net/ws-deflate.ts needs it. */
  constructor(ws: WebSocket, deflated = false) {
    this.ws = ws;
    this.deflated = deflated;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get backlog(): number {
    return this.ws.bufferedAmount;
  }

  abstract listen(events: TransportEvents): void;
  abstract ping(): void;
  abstract close(reason: CloseReason): void;

  write(text: string): void {
    this.ws.send(text);
  }

  writeShared(bytes: Buffer): boolean {
    return writePreframed(this.ws, bytes);
  }

  /** Reports the socket's end; an error is followed by its close, which is what the session acts on. */
  protected listenForClose(events: TransportEvents): void {
    this.ws.on('close', () => events.closed());
    this.ws.on('error', () => undefined);
  }

  /** Sends a close frame (queued behind the backlog) and cuts the socket if the peer never answers. */
  protected closeWith(code: number, text: string): void {
    this.ws.close(code, text);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
