import type { LogFn, Logger } from 'pino';

/** Error level in pino's numbering: only errors are folded, never warnings or info. */
const ERROR_LEVEL = 50;
// Kinds of error with a window open at once; past this many a new kind is logged in full (an odd outage, not a flood).
const MAX_KINDS = 100;
// References listed in a summary line; past this many they are only counted.
const MAX_REFS = 50;

interface Window {
  suppressed: number;
  refs: string[];
  timer: NodeJS.Timeout;
  /** Writes the summary with the logger and method of the line that opened the window. */
  summarise: () => void;
}

export interface LogFloodGuardOptions {
  /** The first error of a kind in this long is logged in full; the rest of the window in one summary line. */
  windowMs: number;
}

/**
 * Keeps an outage from flooding the log. When Redis or Kafka fails under a
 * busy chat every send fails with it, and each failure was an error line
 * with its stack: thousands a second, written at the worst moment (seen:
 * 5,678 from one gateway within 4 s of a burst). Errors of one kind (same
 * message, same `err.message`) are logged in full once per window; the rest
 * of that window become one `... repeated` line with their count and their
 * `ref`s (up to MAX_REFS), so a reference a user quotes is still found.
 * A pino `logMethod` hook, built by whoever builds the logger.
 */
export class LogFloodGuard {
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();

  /** pino's `hooks.logMethod` (pino calls it with the logger as `this`). */
  readonly logMethod: (this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) => void;

  constructor(options: LogFloodGuardOptions) {
    this.#windowMs = options.windowMs;
    const guard = this;
    this.logMethod = function (args, method, level) {
      const kind = level >= ERROR_LEVEL ? kindOf(args) : undefined;
      if (kind === undefined || !guard.#folds(kind, args, this, method)) method.apply(this, args);
    };
  }

  /** Closes every open window now (the process is stopping), so nothing folded goes unsaid. */
  flush(): void {
    for (const kind of [...this.#windows.keys()]) this.#close(kind);
  }

  /** Whether this error is folded into its window's summary (true) or logged in full now, opening a window (false). */
  #folds(kind: string, args: Parameters<LogFn>, logger: Logger, method: LogFn): boolean {
    const open = this.#windows.get(kind);
    if (open !== undefined) {
      open.suppressed++;
      const ref = (args[0] as { ref?: unknown }).ref;
      if (typeof ref === 'string' && open.refs.length < MAX_REFS) open.refs.push(ref);
      return true;
    }
    if (this.#windows.size >= MAX_KINDS) return false;
    // A window closes by its own timer, so the map holds only open windows.
    const window: Window = {
      suppressed: 0,
      refs: [],
      timer: setTimeout(() => this.#close(kind), this.#windowMs).unref(),
      summarise: () => {
        const [msg, error] = kind.split('\n');
        method.apply(logger, [{ error, repeated: window.suppressed, refs: window.refs, windowMs: this.#windowMs }, `${msg} repeated`]);
      },
    };
    this.#windows.set(kind, window);
    return false;
  }

  #close(kind: string): void {
    const window = this.#windows.get(kind);
    if (window === undefined) return;
    clearTimeout(window.timer);
    this.#windows.delete(kind);
    if (window.suppressed > 0) window.summarise();
  }
}

/** `message\nerr.message` of an error line `(object with err, message)`, or undefined for any other call. */
function kindOf(args: Parameters<LogFn>): string | undefined {
  const [first, msg] = args as unknown[];
  if (typeof msg !== 'string' || first === null || typeof first !== 'object') return undefined;
  const err = (first as { err?: unknown }).err;
  return err instanceof Error ? `${msg}\n${err.message}` : undefined;
}
