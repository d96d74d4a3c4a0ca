import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { Message } from '../protocol/types.ts';
import type { DurableLog, HistoryPage, LoggedMessage, UserRetraction } from './log.ts';
import type { WriterCommand, WriterConfig, WriterOp, WriterReply, WriterRequest } from './sqlite-writer-protocol.ts';

export interface SqliteLogOptions {
  /** The database file; its directory is created if missing. */
  path: string;
  /** Messages older than this are pruned. */
  retentionMs: number;
  /** At most this many messages are kept per stream. */
  maxMessagesPerStream: number;
  /** How often retention runs; default one minute. */
  pruneIntervalMs?: number;
  /** Requests waiting for the writer beyond this are refused rather than queued; default 10,000. */
  maxPendingWrites?: number;
  /** Where a failed background prune is reported; default console.error. */
  onPruneError?: (error: Error) => void;
  /** The writer thread's module; tests substitute one that dies. */
  writerUrl?: URL;
}

interface Pending {
  resolve: (ids: string[]) => void;
  reject: (error: Error) => void;
}

const WRITER_URL = new URL('./sqlite-writer-worker.ts', import.meta.url);

/**
 * The embedded durable log: one SQLite file in WAL mode. Writes go to a worker
 * thread that group-commits them with synchronous=FULL, so `append` resolves
 * only once its batch is fsynced; reads run here on a separate read-only
 * connection, which WAL lets proceed while the writer commits.
 */
export class SqliteLog implements DurableLog {
  /** The database file, absolute; the log tail reads it on a connection of its own. */
  readonly path: string;
  readonly #worker: Worker;
  readonly #reader: DatabaseSync;
  readonly #exited: Promise<void>;
  readonly #pending = new Map<number, Pending>();
  readonly #maxPending: number;
  readonly #latest: StatementSync;
  readonly #since: StatementSync;
  readonly #range: StatementSync;
  readonly #lastSeq: StatementSync;
  readonly #message: StatementSync;
  readonly #newestOf: StatementSync;
  #nextId = 0;
  /** The storage failure of the last batch the writer committed (disk full), until a batch writes again. */
  #storageError: string | undefined;
  /** Set once the writer is gone (crashed or closed): every request fails with it. */
  #stopped: Error | undefined;
  #closing: Promise<void> | undefined;

  static async open(options: SqliteLogOptions): Promise<SqliteLog> {
    const path = resolve(options.path);
    mkdirSync(dirname(path), { recursive: true });
    const config: WriterConfig = {
      path,
      retentionMs: options.retentionMs,
      maxMessagesPerStream: options.maxMessagesPerStream,
      pruneIntervalMs: options.pruneIntervalMs ?? 60_000,
    };
    const worker = new Worker(options.writerUrl ?? WRITER_URL, { workerData: config });
    await new Promise<void>((ready, fail) => {
      const onExit = (code: number): void => fail(new Error(`sqlite log writer exited with code ${code} before it was ready`));
      worker.once('error', fail);
      worker.once('exit', onExit);
      worker.once('message', (reply: WriterReply) => {
        worker.off('error', fail);
        worker.off('exit', onExit);
        if (reply.kind === 'ready') ready();
        else fail(new Error(`sqlite log writer said ${reply.kind} before ready`));
      });
    });
    // The writer has created the file and schema, so the reader can open it read-only.
    return new SqliteLog(path, worker, new DatabaseSync(path, { readOnly: true, timeout: 5000 }), options);
  }

  private constructor(path: string, worker: Worker, reader: DatabaseSync, options: SqliteLogOptions) {
    this.path = path;
    this.#worker = worker;
    this.#reader = reader;
    this.#maxPending = options.maxPendingWrites ?? 10_000;
    const onPruneError = options.onPruneError ?? ((error) => console.error('sqlite log: retention failed', error));
    const displayable = 'stream = ? AND sampled = 0 AND retracted = 0';
    this.#latest = reader.prepare(`SELECT body FROM messages WHERE ${displayable} ORDER BY seq DESC LIMIT ?`);
    this.#since = reader.prepare(`SELECT body FROM messages WHERE ${displayable} AND seq > ? ORDER BY seq LIMIT ?`);
    this.#range = reader.prepare(
      'SELECT body FROM messages WHERE stream = ? AND ts >= ? AND ts < ? AND retracted = 0 AND (sampled = 0 OR ?) ORDER BY ts, seq LIMIT ?',
    );
    // A stream without a row never had a message, or retention emptied it: it continues above every pruned stream.
    this.#lastSeq = reader.prepare(
      "SELECT coalesce((SELECT last_seq FROM streams WHERE stream = ?), (SELECT value FROM log_meta WHERE key = 'seq_floor'), 0) AS last_seq",
    );
    this.#message = reader.prepare('SELECT body FROM messages WHERE stream = ? AND id = ? LIMIT 1');
    this.#newestOf = reader.prepare('SELECT body FROM messages WHERE stream = ? AND user_id = ? AND retracted = 0 ORDER BY seq DESC LIMIT 1');

    let crash: Error | undefined;
    worker.on('error', (error) => (crash = error));
    worker.on('message', (reply: WriterReply) => {
      if (reply.kind === 'results') {
        this.#storageError = reply.storageError;
        for (const result of reply.results) {
          const pending = this.#pending.get(result.id);
          this.#pending.delete(result.id);
          if (result.ok) pending?.resolve(result.ids ?? []);
          else pending?.reject(new Error(`sqlite log: ${result.error}`));
        }
      } else if (reply.kind === 'pruneFailed') {
        onPruneError(new Error(reply.error));
      }
    });
    this.#exited = new Promise((done) =>
      worker.once('exit', (code) => {
        const reason = crash === undefined ? `exit code ${code}` : crash.message;
        this.#stopped ??= new Error(`sqlite log writer stopped (${reason})`, { cause: crash });
        for (const pending of this.#pending.values()) pending.reject(this.#stopped);
        this.#pending.clear();
        done();
      }),
    );
  }

  async append(entries: LoggedMessage[]): Promise<void> {
    if (entries.length > 0) await this.#request({ op: 'append', entries });
  }

  async retract(stream: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    return unique.length === 0 ? [] : this.#request({ op: 'retract', stream, ids: unique });
  }

  retractUser(stream: string, userId: string, bounds: UserRetraction): Promise<string[]> {
    return this.#request({ op: 'retractUser', stream, userId, bounds });
  }

  async message(stream: string, id: string): Promise<Message | undefined> {
    return bodies(this.#message.all(stream, id))[0];
  }

  async newestOf(stream: string, userId: string): Promise<Message | undefined> {
    return bodies(this.#newestOf.all(stream, userId))[0];
  }

  /** Stores a consumer group's tail position, through the writer like every other write (see SqliteLogTail). */
  async commitPosition(group: string, position: number): Promise<void> {
    await this.#request({ op: 'commitPosition', group, position });
  }

  async checkWritable(): Promise<void> {
    if (this.#stopped !== undefined) throw this.#stopped; // the writer thread is gone (crashed or closed)
    if (this.#storageError === undefined) return;
    // Only a write tells whether there is room again; its batch's outcome updates #storageError.
    await this.#request({ op: 'probe' });
    if (this.#storageError !== undefined) throw new Error(`sqlite log cannot write: ${this.#storageError}`);
  }

  async latest(stream: string, limit: number): Promise<HistoryPage> {
    return this.#page(stream, () => bodies(this.#latest.all(stream, rowLimit(limit))).reverse());
  }

  async since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    return this.#page(stream, () => bodies(this.#since.all(stream, afterSeq, rowLimit(limit))));
  }

  async range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    return bodies(this.#range.all(stream, fromMs, toMs, includeSampled ? 1 : 0, rowLimit(limit)));
  }

  async lastSeq(stream: string): Promise<number> {
    return this.#readLastSeq(stream);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // Requests already posted are ahead of `close` in the port, so the writer commits them first.
      if (this.#stopped === undefined) this.#worker.postMessage({ op: 'close' } satisfies WriterRequest);
      this.#stopped ??= new Error('sqlite log closed');
      await this.#exited;
      this.#reader.close();
    })();
    return this.#closing;
  }

  /** Messages and lastSeq from one read transaction, so lastSeq is never older than the page. */
  #page(stream: string, read: () => Message[]): HistoryPage {
    this.#reader.exec('BEGIN');
    try {
      return { messages: read(), lastSeq: this.#readLastSeq(stream) };
    } finally {
      this.#reader.exec('COMMIT');
    }
  }

  #readLastSeq(stream: string): number {
    const row = this.#lastSeq.get(stream) as { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  #request(op: WriterOp): Promise<string[]> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    if (this.#pending.size >= this.#maxPending) return Promise.reject(new Error('sqlite log: too many writes waiting'));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...op, id } satisfies WriterCommand);
    });
  }
}

function bodies(rows: unknown[]): Message[] {
  return (rows as Array<{ body: string }>).map((row) => JSON.parse(row.body) as Message);
}

/** SQLite reads a negative LIMIT as "no limit"; a page is never asked to be that. */
function rowLimit(limit: number): number {
  return Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
}
