import type { Message, Modes, StreamState } from '../protocol/types.ts';

/**
 * What a frame says, for transports that encode it their own way (IRC). The
 * retracted and cleared messages are those this gateway still had in its
 * window, so an IRC client can be told whose line went.
 */
export type FrameContent =
  | { kind: 'msgs'; stream: string; messages: readonly Message[] }
  | { kind: 'retract'; stream: string; ids: readonly string[]; reason: string; known: readonly Message[] }
  | { kind: 'clear'; stream: string; user: string; name: string | undefined; reason: 'ban' | 'timeout'; seconds?: number }
  | { kind: 'state'; stream: string; state: StreamState; changedModes: ReadonlyArray<keyof Modes> };

/**
 * One server frame bound for many viewers, encoded once: the JSON text, and on
 * first use the complete WebSocket frame bytes and the SSE event. Every viewer
 * of a flush is handed the same object, so the bytes are built once per flush
 * whatever the number of sockets.
 */
export class OutboundFrame {
  readonly json: string;
  readonly content: FrameContent;
  /** Chat lines in this frame (0 for retract, clear, state). */
  readonly lines: number;
  /** Seq of the newest message in this frame, for SSE event ids. */
  readonly lastSeq: number | undefined;
  #ws: Buffer | undefined;
  #sse: string | undefined;

  constructor(json: string, content: FrameContent, lines: number, lastSeq: number | undefined) {
    this.json = json;
    this.content = content;
    this.lines = lines;
    this.lastSeq = lastSeq;
  }

  /** An unmasked, unfragmented WebSocket text frame (RFC 6455 section 5.2). */
  wsBytes(): Buffer {
    return (this.#ws ??= wsTextFrame(this.json));
  }

  /** A Server-Sent Event; its id is the newest seq, so Last-Event-ID resumes right after it. */
  sse(): string {
    if (this.#sse !== undefined) return this.#sse;
    const id = this.lastSeq === undefined ? '' : `id: ${this.lastSeq}\n`;
    return (this.#sse = `${id}data: ${this.json}\n\n`);
  }
}

/** An unmasked, unfragmented WebSocket text frame (RFC 6455 section 5.2), for writing the same bytes to many sockets. */
export function wsTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
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
  frame.write(text, header, 'utf8');
  return frame;
}

/**
 * The frames of one flush, in order, bound for many viewers: a socket gets
 * them in one write. A write system call costs about the same whatever its
 * size, so a flush that carries a batch of lines and a state frame (the
 * stream's rate and viewer count, once a second in a busy stream) costs one
 * call per viewer, not two. Joined bytes are built once per flush, on first use.
 */
export class OutboundBatch {
  readonly frames: readonly OutboundFrame[];
  /** Chat lines in all the frames. */
  readonly lines: number;
  #ws: Buffer | undefined;
  #sse: string | undefined;

  constructor(frames: readonly OutboundFrame[]) {
    this.frames = frames;
    let lines = 0;
    for (const frame of frames) lines += frame.lines;
    this.lines = lines;
  }

  /** The frames' WebSocket bytes, back to back. */
  wsBytes(): Buffer {
    if (this.#ws !== undefined) return this.#ws;
    return (this.#ws = this.frames.length === 1 ? this.frames[0]!.wsBytes() : Buffer.concat(this.frames.map((f) => f.wsBytes())));
  }

  /** The frames' Server-Sent Events, back to back. */
  sse(): string {
    if (this.#sse !== undefined) return this.#sse;
    return (this.#sse = this.frames.length === 1 ? this.frames[0]!.sse() : this.frames.map((f) => f.sse()).join(''));
  }
}

/** What a stream hub delivers to: a WebSocket connection or an SSE response. */
export interface Viewer {
  /** Counted once per person by the viewer counter (user id, or connection id when anonymous). */
  readonly viewerId: string;
  /** Signed in when it joined (not an anonymous socket): only such viewers put a stream in the stream picker. */
  readonly signedIn: boolean;
  deliver(batch: OutboundBatch): void;
}
