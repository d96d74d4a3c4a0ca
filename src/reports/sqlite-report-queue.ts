import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ReportQueueFull, type NewReport, type Report, type ReportQueue } from './report-queue.ts';

export interface SqliteReportQueueOptions {
  /** The database file, apart from the log's, so report writes never wait on (or hold up) the log's writer. */
  path: string;
  /** Pending reports kept per stream; a new one beyond it drops the stream's oldest. */
  maxPerStream: number;
  /** Pending reports kept in all; beyond it new reports are refused. */
  maxTotal: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS reports (
  id          TEXT PRIMARY KEY,
  stream      TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  reporter_id TEXT NOT NULL,
  body        TEXT NOT NULL, -- the Report as JSON
  ts          INTEGER NOT NULL,
  UNIQUE (stream, message_id, reporter_id)
);
CREATE INDEX IF NOT EXISTS reports_stream_ts ON reports (stream, ts);
`;

/**
 * The embedded report queue: one table in its own SQLite file, written on
 * the main thread with synchronous=NORMAL (WAL appends, no fsync per report:
 * a power cut may lose the last reports, never chat). Bounded per stream and
 * in total; the per-user rate limit in front of it bounds the write rate.
 */
export class SqliteReportQueue implements ReportQueue {
  readonly #db: DatabaseSync;
  readonly #options: SqliteReportQueueOptions;
  readonly #insert: StatementSync;
  readonly #findDuplicate: StatementSync;
  readonly #list: StatementSync;
  readonly #dismiss: StatementSync;
  readonly #trimStream: StatementSync;
  #total: number;

  constructor(options: SqliteReportQueueOptions) {
    const path = resolve(options.path);
    mkdirSync(dirname(path), { recursive: true });
    this.#options = options;
    this.#db = new DatabaseSync(path, { timeout: 5000 });
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare('INSERT INTO reports (id, stream, message_id, reporter_id, body, ts) VALUES (?, ?, ?, ?, ?, ?)');
    this.#findDuplicate = this.#db.prepare('SELECT body FROM reports WHERE stream = ? AND message_id = ? AND reporter_id = ?');
    this.#list = this.#db.prepare('SELECT body FROM reports WHERE stream = ? ORDER BY ts DESC, rowid DESC LIMIT ?');
    this.#dismiss = this.#db.prepare('DELETE FROM reports WHERE stream = ? AND id = ?');
    this.#trimStream = this.#db.prepare(
      'DELETE FROM reports WHERE rowid IN (SELECT rowid FROM reports WHERE stream = ? ORDER BY ts DESC, rowid DESC LIMIT -1 OFFSET ?)',
    );
    this.#total = (this.#db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }

  async add(input: NewReport): Promise<Report> {
    const duplicate = this.#findDuplicate.get(input.stream, input.messageId, input.reporter.id) as { body: string } | undefined;
    if (duplicate !== undefined) return JSON.parse(duplicate.body) as Report;
    if (this.#total >= this.#options.maxTotal) throw new ReportQueueFull('the report queue is full');
    const report: Report = { id: randomUUID(), ...input };
    this.#db.exec('BEGIN');
    try {
      this.#insert.run(report.id, report.stream, report.messageId, report.reporter.id, JSON.stringify(report), report.ts);
      const trimmed = Number(this.#trimStream.run(report.stream, this.#options.maxPerStream).changes);
      this.#db.exec('COMMIT');
      this.#total += 1 - trimmed;
    } catch (error) {
      // A failed COMMIT (disk full) has rolled back already; a second ROLLBACK would throw and hide the real error.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
    return report;
  }

  async list(stream: string, limit: number): Promise<Report[]> {
    return (this.#list.all(stream, limit) as Array<{ body: string }>).map((row) => JSON.parse(row.body) as Report);
  }

  async dismiss(stream: string, id: string): Promise<boolean> {
    const removed = Number(this.#dismiss.run(stream, id).changes);
    this.#total -= removed;
    return removed > 0;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
