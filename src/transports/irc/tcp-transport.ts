import type { Socket } from 'node:net';
import type { IrcTransport } from './irc-transport.ts';

const CLOSE_GRACE_MS = 5_000;

/** Plain IRC over TCP: lines end with LF (CR optional); a line longer than the limit closes the connection. */
export class TcpTransport implements IrcTransport {
  readonly websocket = false;
  readonly #socket: Socket;
  #partial = '';

  constructor(socket: Socket, maxLineBytes: number, onLine: (line: string) => void) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop()!;
      if (Buffer.byteLength(this.#partial) > maxLineBytes) {
        this.write('ERROR :Closing Link: line too long\r\n');
        this.close();
        return;
      }
      for (const line of lines) {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed === '') continue;
        if (Buffer.byteLength(trimmed) > maxLineBytes) {
          this.write('ERROR :Closing Link: line too long\r\n');
          this.close();
          return;
        }
        onLine(trimmed);
      }
    });
  }

  get backlog(): number {
    return this.#socket.writableLength;
  }

  write(text: string): void {
    if (this.#socket.writable) this.#socket.write(text);
  }

  writeShared(bytes: Buffer): void {
    if (this.#socket.writable) this.#socket.write(bytes);
  }

  close(): void {
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  closeSlow(): void {
    this.#socket.destroy();
  }
}
