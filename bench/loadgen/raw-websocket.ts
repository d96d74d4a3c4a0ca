// The load generator's WebSocket client (RFC 6455 over node:net). A load
// worker reads tens of thousands of sockets; with the `ws` client, half of
// its busy time went to the stream machinery around each read (a Readable
// push, a Writable receiver, an event per frame: BENCHMARKS.md, "A cheaper
// load generator"). This client reads every socket into one buffer the worker
// owns (net's `onread`), cuts the frames out of it in place and hands each
// payload to a callback. The payload is only valid during that call: what a
// handler keeps, it copies.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
// A handshake answer or a frame larger than this is refused: the servers under test send far smaller ones.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
// A close we started is answered within this, or the socket is cut.
const CLOSE_TIMEOUT_MS = 5_000;

const Op = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface RawWebSocketHandlers {
  open(): void;
  /** A whole text or binary message; `data` is valid only during this call. */
  message(data: Buffer): void;
  /** Once, at the end: the close frame's code, 1005 for a close frame without one, 1006 without a close frame. */
  close(code: number): void;
  /** Connect and handshake failures (`Unexpected server response: N` for a refused upgrade), and socket errors; close follows. */
  error(err: NodeJS.ErrnoException): void;
}

export interface RawWebSocketOptions {
  localAddress: string;
  localPort: number;
  /** Read buffer shared by every socket of the process: frames are handled before the next read reuses it. */
  readBuffer: Buffer;
}

/** One client WebSocket: text frames out (masked), frames in, pings answered. */
export class RawWebSocket {
  readonly #socket: Socket;
  readonly #h: RawWebSocketHandlers;
  readonly #key = randomBytes(16).toString('base64');
  #open = false;
  #upgraded = false;
  /** Bytes of an unfinished handshake answer or frame, copied out of the shared buffer. */
  #partial: Buffer | undefined;
  /** Parts of a fragmented message, copied. */
  #fragments: Buffer[] | undefined;
  #closeCode = 1006;
  #closeSent = false;

  constructor(url: string, options: RawWebSocketOptions, handlers: RawWebSocketHandlers) {
    this.#h = handlers;
    const target = new URL(url);
    this.#socket = connect({
      host: target.hostname,
      port: Number(target.port),
      localAddress: options.localAddress,
      localPort: options.localPort,
      noDelay: true,
      onread: {
        buffer: options.readBuffer,
        callback: (n: number, buffer: Uint8Array) => {
          this.#onRead(buffer as Buffer, n);
          return true; // keep reading
        },
      },
    });
    this.#socket.on('connect', () => {
      this.#socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + `Sec-WebSocket-Key: ${this.#key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.#socket.on('error', (err) => this.#h.error(err));
    this.#socket.on('close', () => {
      this.#open = false;
      this.#h.close(this.#closeCode);
    });
  }

  get open(): boolean {
    return this.#open;
  }

  send(text: string): void {
    if (this.#open) this.#write(Op.text, Buffer.from(text));
  }

  /** Starts the closing handshake; the socket is cut if the server does not finish it. */
  close(code = 1000): void {
    if (!this.#open || this.#closeSent) return;
    this.#sendClose(code);
    setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  terminate(): void {
    this.#socket.destroy();
  }

  #onRead(buffer: Buffer, n: number): void {
    let data = buffer.subarray(0, n);
    if (this.#partial !== undefined) {
      data = Buffer.concat([this.#partial, data]);
      this.#partial = undefined;
    }
    const used = this.#upgraded ? this.#frames(data) : this.#handshake(data);
    if (used < 0 || this.#socket.destroyed) return;
    if (used < data.length) {
      if (data.length - used > MAX_MESSAGE_BYTES) return this.#fail(new Error('message too large'));
      // Copied: the shared buffer is overwritten by the next read of any socket.
      this.#partial = Buffer.from(data.subarray(used));
    }
  }

  /** Reads the server's 101 answer; returns the bytes it used, -1 when it failed the socket. */
  #handshake(data: Buffer): number {
    const end = data.indexOf(HEADER_END);
    if (end === -1) return 0;
    const head = data.toString('latin1', 0, end);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
    if (status !== '101') {
      this.#fail(new Error(`Unexpected server response: ${status ?? 'none'}`));
      return -1;
    }
    const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
    if (accept !== createHash('sha1').update(this.#key + ACCEPT_GUID).digest('base64')) {
      this.#fail(new Error('Invalid Sec-WebSocket-Accept header'));
      return -1;
    }
    this.#upgraded = true;
    this.#open = true;
    this.#h.open();
    const start = end + HEADER_END.length;
    if (start === data.length || !this.#open) return start;
    const used = this.#frames(data.subarray(start));
    return used < 0 ? -1 : start + used;
  }

  /** Handles every whole frame in `data`; returns the bytes they took, -1 when it failed the socket. */
  #frames(data: Buffer): number {
    let at = 0;
    while (data.length - at >= 2) {
      const first = data[at]!;
      const second = data[at + 1]!;
      if ((second & 0x80) !== 0) {
        this.#fail(new Error('masked frame from the server'));
        return -1;
      }
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = data.readUInt32BE(at + 2) * 2 ** 32 + data.readUInt32BE(at + 6);
        header = 10;
      }
      if (length > MAX_MESSAGE_BYTES) {
        this.#fail(new Error('message too large'));
        return -1;
      }
      if (data.length - at < header + length) break;
      const payload = data.subarray(at + header, at + header + length);
      at += header + length;
      this.#frame((first & 0x80) !== 0, first & 0x0f, payload);
      if (this.#socket.destroyed) return -1;
    }
    return at;
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case Op.text:
      case Op.binary:
        if (fin) this.#h.message(payload);
        else this.#fragments = [Buffer.from(payload)];
        return;
      case Op.continuation:
        if (this.#fragments === undefined) return this.#fail(new Error('continuation without a message'));
        this.#fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.#fragments);
          this.#fragments = undefined;
          this.#h.message(whole);
        }
        return;
      case Op.ping:
        this.#write(Op.pong, payload);
        return;
      case Op.pong:
        return;
      case Op.close:
        this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.#open = false;
        if (!this.#closeSent) this.#sendClose(payload.length >= 2 ? this.#closeCode : 1000);
        this.#socket.end();
        return;
      default:
        this.#fail(new Error(`unknown opcode ${opcode}`));
    }
  }

  #sendClose(code: number): void {
    this.#closeSent = true;
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    this.#write(Op.close, payload);
  }

  /** A masked frame (RFC 6455 section 5.3): every client frame is. */
  #write(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + 4 + length);
    frame[0] = 0x80 | opcode;
    if (header === 2) {
      frame[1] = 0x80 | length;
    } else if (header === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    randomBytes(4).copy(frame, header);
    for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ frame[header + (i & 3)]!;
    this.#socket.write(frame);
  }

  #fail(err: Error): void {
    this.#h.error(err);
    this.#socket.destroy();
  }
}
