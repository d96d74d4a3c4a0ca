import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Message } from '../protocol/types.ts';
import type { LoggedMessage } from './log.ts';
import type { LogTail, TailConsumer, TailConsumerOptions } from './log-tail.ts';
import type { SqliteLog } from './sqlite-log.ts';

export interface SqliteLogTailOptions {
  /** How long an idle consumer waits before it looks for new messages again. */
  pollMs: number;
  /** How long a consumer waits after a failed batch before it tries the same batch again. */
  retryMs: number;
}

// Consumers poll the embedded log; a second between tries of a failed batch.
const TAIL_TIMING: SqliteLogTailOptions = { pollMs: 100, retryMs: 1_000 };

interface Row {
  position: number;
  body: string;
  sampled: number;
}

/**
 * The embedded log tail: a message's position is its rowid in the log's
 * SQLite file, given in commit order by the writer thread, so a reader never
 * sees a later position before an earlier one. Each group's committed
 * position is a row written through that same writer (the write path keeps
 * its one connection and its group commit). Consumers poll in bounded
 * batches on a read-only connection of their own; WAL lets those reads run
 * beside the writer, so a lagging consumer never holds up an append.
 * One consumer per group per process: the embedded mode is one process.
 */
export class SqliteLogTail implements LogTail {
  readonly #log: SqliteLog;
  readonly #options: SqliteLogTailOptions;
  readonly #reader: DatabaseSync;
  readonly #readAfter: StatementSync;
  readonly #readGroup: StatementSync;
  readonly #readHead: StatementSync;
  readonly #readEarliest: StatementSync;
  readonly #consumers = new Set<SqliteTailConsumer>();

  constructor(log: SqliteLog, options: SqliteLogTailOptions = TAIL_TIMING) {
    this.#log = log;
    this.#options = options;
    this.#reader = new DatabaseSync(log.path, { readOnly: true, timeout: 5000 });
    this.#readAfter = this.#reader.prepare('SELECT rowid AS position, body, sampled FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?');
    this.#readGroup = this.#reader.prepare('SELECT position FROM consumer_positions WHERE consumer_group = ?');
    this.#readHead = this.#reader.prepare(
      "SELECT max(coalesce((SELECT value FROM log_meta WHERE key = 'position'), 0), coalesce((SELECT max(rowid) FROM messages), 0)) AS position",
    );
    this.#readEarliest = this.#reader.prepare('SELECT coalesce(min(rowid), 0) AS position FROM messages');
  }

  consume(options: TailConsumerOptions): TailConsumer {
    const consumer: SqliteTailConsumer = new SqliteTailConsumer(this, options, this.#options, () => this.#consumers.delete(consumer));
    this.#consumers.add(consumer);
    return consumer;
  }

  /** Stops every consumer (each finishes and commits its batch), then closes the read connection. Call before the log closes. */
  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((c) => c.stop()));
    this.#reader.close();
  }

  /** The group's committed position; a new group starts at the tail's head or just before its oldest message. */
  committedPosition(group: string, startAt: 'earliest' | 'latest'): { position: number; isNew: boolean } {
    const row = this.#readGroup.get(group) as { position: number } | undefined;
    if (row !== undefined) return { position: row.position, isNew: false };
    const start = startAt === 'latest' ? this.head() : Math.max(0, (this.#readEarliest.get() as { position: number }).position - 1);
    return { position: start, isNew: true };
  }

  head(): number {
    return (this.#readHead.get() as { position: number }).position;
  }

  /** At most `limit` messages after `position`, in position order. */
  readAfter(position: number, limit: number): { entries: LoggedMessage[]; last: number } {
    const rows = this.#readAfter.all(position, limit) as unknown as Row[];
    const entries = rows.map((row) => ({ message: JSON.parse(row.body) as Message, sampled: row.sampled === 1 }));
    return { entries, last: rows.length > 0 ? rows[rows.length - 1]!.position : position };
  }

  commit(group: string, position: number): Promise<void> {
    return this.#log.commitPosition(group, position);
  }
}

class SqliteTailConsumer implements TailConsumer {
  readonly #tail: SqliteLogTail;
  readonly #options: TailConsumerOptions;
  readonly #timing: SqliteLogTailOptions;
  readonly #running: Promise<void>;
  readonly #started = Promise.withResolvers<void>();
  /** The position committed last (or about to be); lag is measured from it. */
  #committed = 0;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(tail: SqliteLogTail, options: TailConsumerOptions, timing: SqliteLogTailOptions, onStopped: () => void) {
    this.#tail = tail;
    this.#options = options;
    this.#timing = timing;
    this.#running = this.#run().finally(onStopped);
  }

  ready(): Promise<void> {
    return this.#started.promise;
  }

  async lag(): Promise<number> {
    return Math.max(0, this.#tail.head() - this.#committed);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { group, handler, maxBatch, startAt, onError } = this.#options;
    let position = await this.#start(group, startAt);
    this.#started.resolve();
    while (!this.#stopping) {
      let batch: ReturnType<SqliteLogTail['readAfter']>;
      try {
        batch = this.#tail.readAfter(position, maxBatch);
      } catch (error) {
        onError(error);
        await this.#pause(this.#timing.retryMs);
        continue;
      }
      if (batch.entries.length === 0) {
        await this.#pause(this.#timing.pollMs);
        continue;
      }
      try {
        await handler(batch.entries);
      } catch (error) {
        // Not committed: the same records come again.
        onError(error);
        await this.#pause(this.#timing.retryMs);
        continue;
      }
      position = batch.last;
      this.#committed = position;
      // A failed commit is not retried on its own: the next one covers it, and at worst a restart redelivers.
      await this.#tail.commit(group, position).catch(onError);
    }
  }

  /** The position to read after; a new group's start is committed at once, so a restart before its first batch keeps it. */
  async #start(group: string, startAt: 'earliest' | 'latest'): Promise<number> {
    for (;;) {
      try {
        const { position, isNew } = this.#tail.committedPosition(group, startAt);
        if (isNew) await this.#tail.commit(group, position);
        this.#committed = position;
        return position;
      } catch (error) {
        if (this.#stopping) return Number.MAX_SAFE_INTEGER;
        this.#options.onError(error);
        await this.#pause(this.#timing.retryMs);
      }
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
