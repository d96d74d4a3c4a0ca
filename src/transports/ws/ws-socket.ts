import type { WebSocket } from 'ws';
import { writePreframed } from '../../net/ws-write.ts';
import type { CloseReason, Transport, TransportEvents } from '../../session/transport.ts';

/** Close codes and reasons of docs/protocol.md. */
const CLOSES: Record<Exclude<CloseReason, 'unresponsive'>, [code: number, reason: string]> = {
  goingAway: [1001, 'server going away'],
  idle: [4002, 'idle: not signed in and watching no stream'],
  tokenExpired: [4001, 'token expired'],
  abuse: [1008, 'repeated abuse'],
  slow: [4008, 'slow consumer: not reading fast enough'],
  done: [1000, ''],
};
const CLOSE_GRACE_MS = 5_000;

/** A v1 client's WebSocket: JSON text frames in and out, pings answered by pongs. */
export class WsSocket implements Transport {
  readonly name = 'ws';
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
    this.#ws.on('message', (data, isBinary) => events.received(data.toString(), isBinary));
    this.#ws.on('pong', () => events.alive());
    this.#ws.on('close', () => events.closed());
    // A socket error is followed by its close, which is what the session acts on.
    this.#ws.on('error', () => undefined);
  }

  write(text: string): void {
    this.#ws.send(text);
  }

  writeShared(bytes: Buffer): boolean {
    return writePreframed(this.#ws, bytes);
  }

  ping(): void {
    this.#ws.ping();
  }

  /** Sends a close frame (queued behind the backlog) and cuts the socket if the peer never answers; a silent peer is cut at once. */
  close(reason: CloseReason): void {
    if (reason === 'unresponsive') {
      this.#ws.terminate();
      return;
    }
    const [code, text] = CLOSES[reason];
    this.#ws.close(code, text);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
