// The writer thread of SqliteLog: it owns the only write connection, so the
// main thread never blocks on an fsync. Requests that arrive while a commit
// is running wait in the port and all go into the next transaction: one
// fsync per batch, however many senders are waiting.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { LoggedMessage } from './log.ts';
import type { WriterCommand, WriterConfig, WriterReply, WriterRequest, WriterResult } from './sqlite-writer-protocol.ts';

// SQLite's primary result codes for a file that cannot be written: read-only,
// I/O error, corrupt, disk full, cannot open, not a database. Any other
// failure (a constraint) is one request's.
const STORAGE_ERRORS: ReadonlySet<number> = new Set([8, 10, 11, 13, 14, 26]);

// Retention deletes this many rows per transaction, so appends are never
// stuck behind one huge delete.
const PRUNE_CHUNK = 2000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  stream    TEXT    NOT NULL,
  seq       INTEGER NOT NULL,
  id        TEXT    NOT NULL,
  ts        INTEGER NOT NULL,
  user_id   TEXT    NOT NULL,
  body      TEXT    NOT NULL, -- the wire Message as JSON
  sampled   INTEGER NOT NULL,
  retracted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, seq)
);
CREATE INDEX IF NOT EXISTS messages_stream_ts ON messages (stream, ts);
CREATE INDEX IF NOT EXISTS messages_stream_id ON messages (stream, id);
CREATE INDEX IF NOT EXISTS messages_stream_user ON messages (stream, user_id, seq);
-- The highest seq appended per stream that still has messages. When
-- retention empties a stream its row goes, so one user posting once to many
-- streams leaves no row behind, and its last_seq raises the seq floor in
-- log_meta: a stream without a row continues above every pruned one, so no
-- seq is ever handed out twice, across restarts too.
CREATE TABLE IF NOT EXISTS streams (
  stream   TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;
-- A message's rowid is its position in the log tail (commit order). The
-- highest position ever given is kept here ('position'), so positions keep
-- growing even when retention empties the messages table (SQLite would reuse
-- rowids); so is the seq floor of pruned streams ('seq_floor').
CREATE TABLE IF NOT EXISTS log_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
-- The committed position of each consumer group of the log tail.
CREATE TABLE IF NOT EXISTS consumer_positions (
  consumer_group TEXT PRIMARY KEY,
  position       INTEGER NOT NULL
) WITHOUT ROWID;
`;

class Writer {
  readonly #db: DatabaseSync;
  readonly #config: WriterConfig;
  readonly #insert: StatementSync;
  readonly #bumpSeq: StatementSync;
  readonly #retract: StatementSync;
  readonly #retractUser: StatementSync;
  readonly #listStreams: StatementSync;
  readonly #deleteOlder: StatementSync;
  readonly #deleteUpToSeq: StatementSync;
  readonly #hasMessages: StatementSync;
  readonly #dropStream: StatementSync;
  readonly #raiseSeqFloor: StatementSync;
  readonly #savePosition: StatementSync;
  readonly #commitGroup: StatementSync;
  readonly #probe: StatementSync;
  /** The tail position of the newest appended message. */
  #position: number;

  constructor(config: WriterConfig) {
    this.#config = config;
    this.#db = new DatabaseSync(config.path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare('INSERT INTO messages (rowid, stream, seq, id, ts, user_id, body, sampled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#bumpSeq = this.#db.prepare(
      'INSERT INTO streams (stream, last_seq) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)',
    );
    this.#retract = this.#db.prepare('UPDATE messages SET retracted = 1 WHERE stream = ? AND id = ? RETURNING id');
    this.#retractUser = this.#db.prepare(
      `UPDATE messages SET retracted = 1 WHERE rowid IN (
         SELECT rowid FROM messages WHERE stream = ? AND user_id = ? AND retracted = 0 AND ts >= ? ORDER BY seq DESC LIMIT ?
       ) RETURNING seq, id`,
    );
    this.#listStreams = this.#db.prepare('SELECT stream, last_seq FROM streams');
    this.#deleteOlder = this.#db.prepare('DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE stream = ? AND ts < ? LIMIT ?)');
    this.#deleteUpToSeq = this.#db.prepare('DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE stream = ? AND seq <= ? LIMIT ?)');
    this.#hasMessages = this.#db.prepare('SELECT 1 FROM messages WHERE stream = ? LIMIT 1');
    this.#dropStream = this.#db.prepare('DELETE FROM streams WHERE stream = ? RETURNING last_seq');
    this.#raiseSeqFloor = this.#db.prepare(
      "INSERT INTO log_meta (key, value) VALUES ('seq_floor', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
    );
    this.#savePosition = this.#db.prepare("INSERT OR REPLACE INTO log_meta (key, value) VALUES ('position', ?)");
    this.#commitGroup = this.#db.prepare('INSERT OR REPLACE INTO consumer_positions (consumer_group, position) VALUES (?, ?)');
    this.#probe = this.#db.prepare("INSERT OR REPLACE INTO log_meta (key, value) VALUES ('probe', ?)");
    const stored = this.#db.prepare("SELECT max(coalesce((SELECT value FROM log_meta WHERE key = 'position'), 0), coalesce((SELECT max(rowid) FROM messages), 0)) AS position").get() as { position: number };
    this.#position = stored.position;
  }

  /** One transaction for the whole batch; a savepoint per request, so one bad request fails alone. */
  commit(requests: WriterCommand[]): { results: WriterResult[]; storageError?: string } {
    const results: WriterResult[] = [];
    let storageError: string | undefined;
    const batchStart = this.#position;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const request of requests) {
        const requestStart = this.#position;
        this.#db.exec('SAVEPOINT request');
        try {
          const ids = this.#apply(request);
          this.#db.exec('RELEASE request');
          results.push(ids === undefined ? { id: request.id, ok: true } : { id: request.id, ok: true, ids });
        } catch (error) {
          this.#db.exec('ROLLBACK TO request; RELEASE request');
          this.#position = requestStart;
          results.push({ id: request.id, ok: false, error: messageOf(error) });
          if (isStorageError(error)) storageError = messageOf(error);
        }
      }
      if (this.#position !== batchStart) this.#savePosition.run(this.#position);
      this.#db.exec('COMMIT');
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is durable.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      this.#position = batchStart;
      return { results: requests.map((r) => ({ id: r.id, ok: false, error: messageOf(error) })), storageError: messageOf(error) };
    }
    return storageError === undefined ? { results } : { results, storageError };
  }

  #apply(request: WriterCommand): string[] | undefined {
    switch (request.op) {
      case 'append':
        this.#append(request.entries);
        return undefined;
      case 'retract':
        return request.ids.filter((id) => this.#retract.all(request.stream, id).length > 0);
      case 'retractUser': {
        const rows = this.#retractUser.all(request.stream, request.userId, request.bounds.sinceMs, request.bounds.max) as Array<{ seq: number; id: string }>;
        return rows.sort((a, b) => a.seq - b.seq).map((r) => r.id);
      }
      case 'commitPosition':
        this.#commitGroup.run(request.group, request.position);
        return undefined;
      case 'probe':
        this.#probe.run(Date.now());
        return undefined;
    }
  }

  #append(entries: LoggedMessage[]): void {
    const highest = new Map<string, number>();
    for (const { message, sampled } of entries) {
      this.#insert.run(++this.#position, message.stream, message.seq, message.id, message.ts, message.user.id, JSON.stringify(message), sampled ? 1 : 0);
      highest.set(message.stream, Math.max(highest.get(message.stream) ?? 0, message.seq));
    }
    for (const [stream, seq] of highest) this.#bumpSeq.run(stream, seq);
  }

  /** Drops messages past retention or past the per-stream cap, in small transactions, yielding between them. */
  async prune(now: number, stopping: () => boolean): Promise<void> {
    const streams = this.#listStreams.all() as Array<{ stream: string; last_seq: number }>;
    for (const { stream, last_seq } of streams) {
      await this.#deleteInChunks(this.#deleteOlder, stream, now - this.#config.retentionMs, stopping);
      // Seqs are unique integers, so keeping only seq > last - cap keeps at most `cap` rows.
      await this.#deleteInChunks(this.#deleteUpToSeq, stream, last_seq - this.#config.maxMessagesPerStream, stopping);
      if (stopping()) return;
      this.#dropIfEmpty(stream);
    }
  }

  /**
   * Drops the row of a stream left without messages, raising the seq floor to
   * its last seq in the same transaction. Appends run on this thread too, so
   * none can slip in between the check and the drop.
   */
  #dropIfEmpty(stream: string): void {
    if (this.#hasMessages.get(stream) !== undefined) return;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const dropped = this.#dropStream.get(stream) as { last_seq: number } | undefined;
      if (dropped !== undefined) this.#raiseSeqFloor.run(dropped.last_seq);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async #deleteInChunks(statement: StatementSync, stream: string, bound: number, stopping: () => boolean): Promise<void> {
    while (!stopping()) {
      const { changes } = statement.run(stream, bound, PRUNE_CHUNK);
      if (Number(changes) < PRUNE_CHUNK) return;
      await yieldToLoop();
    }
  }

  close(): void {
    this.#db.close();
  }
}

function isStorageError(error: unknown): boolean {
  const code = (error as { errcode?: unknown }).errcode;
  return typeof code === 'number' && STORAGE_ERRORS.has(code & 0xff);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function serve(port: MessagePort, config: WriterConfig): void {
  const writer = new Writer(config);
  let batch: WriterCommand[] = [];
  let flushScheduled = false;
  let stopping = false;
  let pruning: Promise<void> | undefined;

  const reply = (message: WriterReply): void => port.postMessage(message);
  const flush = (): void => {
    flushScheduled = false;
    if (batch.length === 0) return;
    const requests = batch;
    batch = [];
    reply({ kind: 'results', ...writer.commit(requests) });
  };
  const prune = (): void => {
    if (pruning !== undefined) return;
    // A failed prune (say, the file briefly locked) is retried next interval; it must not kill the writer.
    pruning = writer
      .prune(Date.now(), () => stopping)
      .catch((error: unknown) => reply({ kind: 'pruneFailed', error: messageOf(error) }))
      .finally(() => (pruning = undefined));
  };
  const timer = setInterval(prune, config.pruneIntervalMs);

  port.on('message', (request: WriterRequest) => {
    if (request.op !== 'close') {
      batch.push(request);
      // Everything already waiting in the port is delivered before the
      // immediate runs, so it joins this batch.
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
      return;
    }
    stopping = true;
    clearInterval(timer);
    flush();
    void (pruning ?? Promise.resolve()).then(() => {
      writer.close();
      reply({ kind: 'closed' });
      port.close();
    });
  });
  reply({ kind: 'ready' });
}

if (parentPort === null) throw new Error('sqlite-writer-worker.ts runs only as a worker thread');
serve(parentPort, workerData as WriterConfig);
