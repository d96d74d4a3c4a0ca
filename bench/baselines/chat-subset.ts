// The part of the v1 protocol the load generator speaks, for the baseline
// servers: `join` answered by `joined`, `send` answered by `ack` and handed
// on as a line. No auth, no checks, no history: baselines have no chat logic.
import { WebSocketServer, type WebSocket } from 'ws';

export interface Line {
  stream: string;
  text: string;
  seq: number;
  ts: number;
}

/** The sockets that joined each stream. */
export class Rooms {
  readonly #rooms = new Map<string, Set<WebSocket>>();

  join(stream: string, ws: WebSocket): void {
    let room = this.#rooms.get(stream);
    if (room === undefined) this.#rooms.set(stream, (room = new Set()));
    room.add(ws);
  }

  leave(stream: string, ws: WebSocket): void {
    this.#rooms.get(stream)?.delete(ws);
  }

  of(stream: string): Iterable<WebSocket> {
    return this.#rooms.get(stream) ?? [];
  }
}

/** Per-stream seqs, as Chorus numbers messages. */
export class Sequencer {
  readonly #seqs = new Map<string, number>();

  current(stream: string): number {
    return this.#seqs.get(stream) ?? 0;
  }

  next(stream: string): number {
    const seq = this.current(stream) + 1;
    this.#seqs.set(stream, seq);
    return seq;
  }
}

/** A line as Chorus sends it (inside `msg` or `batch`). */
export function lineObject(line: Line): Record<string, unknown> {
  return { id: String(line.seq), stream: line.stream, seq: line.seq, ts: line.ts, user: { id: 'u', name: 'user', badges: [] }, text: line.text };
}

/** Listens on 127.0.0.1:`port` at /ws; every accepted send becomes a line for `onLine`. Prints the port for the harness. */
export function serveChatSubset(port: number, rooms: Rooms, onLine: (line: Line) => void): void {
  const seqs = new Sequencer();
  const server = new WebSocketServer({ port, host: '127.0.0.1', path: '/ws', perMessageDeflate: false });
  server.on('connection', (ws) => {
    const joined: string[] = [];
    ws.on('message', (data: Buffer) => {
      let frame: { type?: string; stream?: string; text?: string; nonce?: unknown };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      if (frame.type === 'join' && typeof frame.stream === 'string') {
        rooms.join(frame.stream, ws);
        joined.push(frame.stream);
        ws.send(JSON.stringify({ type: 'joined', stream: frame.stream, seq: seqs.current(frame.stream), history: [] }));
      } else if (frame.type === 'send' && typeof frame.stream === 'string' && typeof frame.text === 'string') {
        const line: Line = { stream: frame.stream, text: frame.text, seq: seqs.next(frame.stream), ts: Date.now() };
        ws.send(JSON.stringify({ type: 'ack', nonce: frame.nonce, id: String(line.seq), seq: line.seq, ts: line.ts, sampled: false }));
        onLine(line);
      }
    });
    ws.on('close', () => {
      for (const stream of joined) rooms.leave(stream, ws);
    });
  });
  server.on('listening', () => console.log(JSON.stringify({ baseline: 'listening', port: (server.address() as { port: number }).port })));
  process.on('SIGTERM', () => process.exit(0));
}
