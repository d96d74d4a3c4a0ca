/**
 * How long a command may wait for its reply on one Redis connection. The
 * client's own timeout stops once a command is written to the socket, so
 * without a deadline a Redis that hangs with its connection open (stopped,
 * partitioned) would hold the command, and the send waiting on it, forever.
 *
 * The deadline is on Redis's silence, not on the command's age: a command
 * fails once the connection has answered nothing for `ms`. Replies come in
 * the order commands were sent, so while others are still being answered,
 * a late command is queued behind them (a burst's pipeline, or replies read
 * late by a gateway busy with a big fan-out), not lost; refusing it would
 * refuse a send Redis is about to take, and leave its effects behind. A
 * command still waits at most `maxMs` in all. When a deadline passes, the
 * verdict waits one turn of the event loop: after a long turn, timers run
 * before sockets are read, and a reply that arrived in time must win.
 */
export class ReplyDeadline {
  readonly #ms: number;
  readonly #maxMs: number;
  /** performance.now() of the connection's latest answer (a reply or a Redis error). */
  #answeredAt = -Infinity;

  constructor(ms: number, maxMs = ms * MAX_WAIT_FACTOR) {
    this.#ms = ms;
    this.#maxMs = Math.max(ms, maxMs);
  }

  run<T>(command: Promise<T>): Promise<T> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let verdict: NodeJS.Immediate | undefined;
    return new Promise<T>((resolve, reject) => {
      const answered = (): void => {
        clearTimeout(timer);
        clearImmediate(verdict);
        this.#answeredAt = performance.now();
      };
      command.then((value) => {
        answered();
        resolve(value);
      }, (err: unknown) => {
        answered();
        reject(err as Error);
      });
      const check = (): void => {
        verdict = setImmediate(() => {
          const now = performance.now();
          const silentFor = now - Math.max(this.#answeredAt, started);
          if (silentFor < this.#ms && now - started < this.#maxMs) {
            timer = setTimeout(check, Math.min(this.#ms - silentFor, this.#maxMs - (now - started)));
            return;
          }
          reject(new Error(`Redis did not answer within ${Math.round(now - started)} ms`));
        });
      };
      timer = setTimeout(check, this.#ms);
    });
  }
}

// A command answered behind others waits at most this many deadlines in all.
const MAX_WAIT_FACTOR = 5;
