/**
 * One server frame bound for many viewers, encoded once: the JSON text, and on
 * first use the complete WebSocket frame bytes and the SSE event. Every viewer
 * of a flush is handed the same object, so the bytes are built once per flush
 * whatever the number of sockets.
 */
export class OutboundFrame {
  readonly json: string;
  /** Chat lines in this frame (0 for retract, clear, state). */
  readonly lines: number;
  /** Seq of the newest message in this frame, for SSE event ids. */
  readonly lastSeq: number | undefined;
  #ws: Buffer | undefined;
  #sse: string | undefined;

  constructor(json: string, lines: number, lastSeq: number | undefined) {
    this.json = json;
    this.lines = lines;
    this.lastSeq = lastSeq;
  }

  /** An unmasked, unfragmented WebSocket text frame (RFC 6455 section 5.2). */
  wsBytes(): Buffer {
    if (this.#ws !== undefined) return this.#ws;
    const length = Buffer.byteLength(this.json);
    const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(header + length);
    frame[0] = 0x81; // FIN + text opcode
    if (header === 2) {
      frame[1] = length;
    } else if (header === 4) {
      frame[1] = 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.write(this.json, header, 'utf8');
    return (this.#ws = frame);
  }

  /** A Server-Sent Event; its id is the newest seq, so Last-Event-ID resumes right after it. */
  sse(): string {
    if (this.#sse !== undefined) return this.#sse;
    const id = this.lastSeq === undefined ? '' : `id: ${this.lastSeq}\n`;
    return (this.#sse = `${id}data: ${this.json}\n\n`);
  }
}

/** What a stream hub delivers to: a WebSocket connection or an SSE response. */
export interface Viewer {
  /** Counted once per person by the viewer counter (user id, or connection id when anonymous). */
  readonly viewerId: string;
  deliver(frame: OutboundFrame): void;
}
