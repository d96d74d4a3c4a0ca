import type { Socket } from 'node:net';
import type { CloseReason, Transport, TransportEvents } from '../../session/transport.ts';
import { PING_LINE } from './twitch-lines.ts';

const CLOSE_GRACE_MS = 5_000;

/** Plain IRC over TCP (or TLS): lines end with LF (CR optional); a line longer than the limit closes the connection. */
export class TcpTransport implements Transport {
  readonly name: string;
  readonly wsFramed = false;
  readonly deflated = false;
  readonly #socket: Socket;
  readonly #maxLineBytes: number;
  #partial = '';

  constructor(socket: Socket, maxLineBytes: number, name: string) {
    this.#socket = socket;
    this.#maxLineBytes = maxLineBytes;
    this.name = name;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
  }

  get open(): boolean {
    return this.#socket.writable;
  }

  get backlog(): number {
    return this.#socket.writableLength;
  }

  listen(events: TransportEvents): void {
    this.#socket.on('close', () => events.closed());
    this.#socket.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop()!;
      if (Buffer.byteLength(this.#partial) > this.#maxLineBytes) return this.#tooLong();
      for (const line of lines) {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed === '') continue;
        if (Buffer.byteLength(trimmed) > this.#maxLineBytes) return this.#tooLong();
        events.alive();
        events.received(trimmed, false);
      }
    });
  }

  #tooLong(): void {
    this.write('ERROR :Closing Link: line too long\r\n');
    this.close('done');
  }

  write(text: string): void {
    if (this.#socket.writable) this.#socket.write(text);
  }

  writeShared(bytes: Buffer): boolean {
    if (this.#socket.writable) this.#socket.write(bytes);
    return true;
  }

  ping(): void {
    this.write(PING_LINE);
  }

  /** Sends what is queued, then closes; a reader too slow for that is cut at once. */
  close(reason: CloseReason): void {
    if (reason === 'slow') {
      this.#socket.destroy();
      return;
    }
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS).unref();
  }
}
