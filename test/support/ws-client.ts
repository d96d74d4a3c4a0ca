import WebSocket from 'ws';

export type Frame = Record<string, any> & { type: string };

/**
 * A v1 protocol client for tests over a real socket: every frame it receives
 * is kept, and `next` waits for the first one not yet taken that matches.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly #taken = new Set<Frame>();
  #waiters: Array<() => void> = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of this.#waiters.splice(0)) wake();
    }));
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next('welcome');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next unread frame of this type (and matching `where`), skipping others; fails after `ms`. */
  next(type: string, where: (f: Frame) => boolean = () => true, ms = 5_000): Promise<Frame> {
    return this.nextMatching((f) => f.type === type && where(f), ms, type);
  }

  async nextMatching(match: (f: Frame) => boolean, ms = 5_000, what = 'matching'): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (const f of this.frames) {
        if (!this.#taken.has(f) && match(f)) {
          this.#taken.add(f);
          return f;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${what} frame within ${ms} ms; got ${JSON.stringify(this.frames.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a frame with a fresh nonce and waits for the ack or error carrying it. */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const nonce = `n${Math.random().toString(36).slice(2)}`;
    this.send({ ...frame, nonce });
    return this.nextMatching((f) => (f.type === 'ack' || f.type === 'error') && f.nonce === nonce, 5_000, `answer to ${frame.type}`);
  }

  /** Every chat line received live so far, from msg and batch frames, in order. */
  liveMessages(stream?: string): Frame[] {
    const out: Frame[] = [];
    for (const f of this.frames) {
      if (stream !== undefined && f.stream !== stream) continue;
      if (f.type === 'msg') out.push(f);
      else if (f.type === 'batch') out.push(...(f.msgs as Frame[]));
    }
    return out;
  }

  close(): void {
    this.ws.close();
  }
}
