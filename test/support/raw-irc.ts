import { connect, type Socket } from 'node:net';

/** A line-oriented view of a TCP socket: `line(match)` waits for the next unread line that matches. */
export class RawIrc {
  readonly socket: Socket;
  readonly lines: string[] = [];
  #read = 0;
  #partial = '';
  #wake: Array<() => void> = [];
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\r\n');
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#wake.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      resolve();
      for (const wake of this.#wake.splice(0)) wake();
    }));
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /** The next line matching `match`; lines skipped on the way are consumed. */
  async line(match: RegExp, ms = 3_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#read < this.lines.length) {
        const line = this.lines[this.#read++]!;
        if (match.test(line)) return line;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.destroyed) throw new Error(`no line matching ${match} within ${ms} ms; got ${JSON.stringify(this.lines.slice(-8))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
