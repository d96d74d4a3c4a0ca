import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

/**
 * A TCP (or TLS) client that keeps every byte it receives: for requests no
 * library would send (an `Upgrade: h2c` with a body, a refused IRC line) and
 * for watching when the server closes its side.
 */
export class RawSocket {
  readonly socket: Socket;
  received = '';
  /** Resolves when the server has ended its side (FIN) or the socket closed. */
  readonly ended: Promise<void>;
  readonly closed: Promise<void>;
  readonly #wake = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.#wakeAll();
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      socket.once('end', resolve);
      socket.once('close', resolve);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => {
      resolve();
      this.#wakeAll();
    }));
  }

  static async connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawSocket> {
    const raw = new RawSocket(connect({ port, host, localAddress }));
    await new Promise<void>((resolve, reject) => {
      raw.socket.once('connect', resolve);
      raw.socket.once('error', reject);
    });
    return raw;
  }

  static async connectTls(port: number, options: ConnectionOptions): Promise<RawSocket> {
    const raw = new RawSocket(connectTls({ port, host: '127.0.0.1', ...options }));
    await new Promise<void>((resolve, reject) => {
      raw.socket.once('secureConnect', resolve);
      raw.socket.once('error', reject);
    });
    return raw;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Waits until what was received matches `pattern`; fails after `ms` with what came. */
  async waitFor(pattern: RegExp, ms = 5_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(this.received);
      if (match !== null) return match;
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.destroyed) throw new Error(`nothing matching ${pattern} within ${ms} ms; got ${JSON.stringify(this.received.slice(-500))}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#wake.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#wake.add(wake);
      });
    }
  }

  /** Waits for one whole HTTP/1.1 response with a Content-Length body; returns its status and body. */
  async response(ms = 5_000): Promise<{ status: number; headers: string; body: string }> {
    const head = await this.waitFor(/^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/, ms);
    const length = Number(/content-length: *(\d+)/i.exec(head[2]!)?.[1] ?? 0);
    const start = head.index + head[0].length;
    await this.waitFor(new RegExp(`^[\\s\\S]{${start + length}}`), ms);
    return { status: Number(head[1]), headers: head[2]!, body: this.received.slice(start, start + length) };
  }

  #wakeAll(): void {
    for (const wake of [...this.#wake]) wake();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Fails when `promise` has not settled within `ms`: for shutdowns that used to hang forever. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
