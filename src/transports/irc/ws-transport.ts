import type { WebSocket } from 'ws';
import { writePreframed } from '../../net/ws-write.ts';
import type { IrcTransport } from './irc-transport.ts';

const CLOSE_GRACE_MS = 5_000;
const SLOW_CONSUMER = 4008;

/**
 * IRC over WebSocket as tmi.js and irc-framework speak it: text frames, one
 * or more lines each (with or without CR LF) from the client, CRLF-separated
 * lines to it.
 */
export class WsTransport implements IrcTransport {
  readonly websocket = true;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket, onLine: (line: string) => void) {
    this.#ws = ws;
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed !== '') onLine(trimmed);
      }
    });
  }

  get backlog(): number {
    return this.#ws.bufferedAmount;
  }

  write(text: string): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(text);
  }

  writeShared(bytes: Buffer, text: string): void {
    if (this.#ws.readyState === this.#ws.OPEN && !writePreframed(this.#ws, bytes)) this.#ws.send(text);
  }

  close(): void {
    this.#ws.close(1000);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  closeSlow(): void {
    this.#ws.close(SLOW_CONSUMER, 'slow consumer: not reading fast enough');
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
