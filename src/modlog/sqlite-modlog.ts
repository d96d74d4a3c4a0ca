import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { ModlogQuery, ModlogStore, ModlogStoreOptions } from './modlog-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS modlog (
  cursor  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream  TEXT NOT NULL,
  user_id TEXT, -- the user acted on, for the user card
  ts      INTEGER NOT NULL,
  body    TEXT NOT NULL -- the entry as JSON, without its cursor
);
CREATE INDEX IF NOT EXISTS modlog_stream ON modlog (stream, cursor);
CREATE INDEX IF NOT EXISTS modlog_user ON modlog (stream, user_id, cursor);
CREATE INDEX IF NOT EXISTS modlog_ts ON modlog (ts);
`;

// Entries past their age are deleted at most this often (reads skip them meanwhile).
const EXPIRE_EVERY_MS = 60_000;

/**
 * The embedded audit log: one table in its own SQLite file beside the chat
 * log's, so moderator actions never wait on (or hold up) the log's writer.
 * Written on the main thread with synchronous=NORMAL, as the report queue is:
 * moderator actions are rare and rate limited. AUTOINCREMENT keeps cursors
 * growing even after the newest rows were trimmed.
 */
export class SqliteModlog implements ModlogStore {
  readonly #db: DatabaseSync;
  readonly #o: ModlogStoreOptions;
  readonly #insert: StatementSync;
  readonly #trim: StatementSync;
  readonly #expire: StatementSync;
  readonly #page: StatementSync;
  readonly #pageOfUser: StatementSync;
  #expiredAt = 0;

  constructor(path: string, options: ModlogStoreOptions) {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    this.#o = options;
    this.#db = new DatabaseSync(file, { timeout: 5000 });
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare('INSERT INTO modlog (stream, user_id, ts, body) VALUES (?, ?, ?, ?)');
    this.#trim = this.#db.prepare('DELETE FROM modlog WHERE cursor IN (SELECT cursor FROM modlog WHERE stream = ? ORDER BY cursor DESC LIMIT -1 OFFSET ?)');
    this.#expire = this.#db.prepare('DELETE FROM modlog WHERE ts < ?');
    this.#page = this.#db.prepare('SELECT cursor, body FROM modlog WHERE stream = ? AND cursor < ? AND ts >= ? ORDER BY cursor DESC LIMIT ?');
    this.#pageOfUser = this.#db.prepare('SELECT cursor, body FROM modlog WHERE stream = ? AND user_id = ? AND cursor < ? AND ts >= ? ORDER BY cursor DESC LIMIT ?');
  }

  async append(entry: Omit<ModlogEntry, 'cursor'>): Promise<ModlogEntry> {
    this.#db.exec('BEGIN');
    let cursor: number;
    try {
      cursor = Number(this.#insert.run(entry.stream, entry.user?.id ?? null, entry.ts, JSON.stringify(entry)).lastInsertRowid);
      this.#trim.run(entry.stream, this.#o.maxPerStream);
      this.#db.exec('COMMIT');
    } catch (error) {
      // A failed COMMIT has rolled back already; a second ROLLBACK would hide the real error.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#expireOld();
    return { cursor, ...entry };
  }

  async page(stream: string, query: ModlogQuery): Promise<ModlogEntry[]> {
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const since = this.#o.now() - this.#o.retentionMs;
    const rows = (query.user === undefined
      ? this.#page.all(stream, before, since, query.limit)
      : this.#pageOfUser.all(stream, query.user, before, since, query.limit)) as Array<{ cursor: number; body: string }>;
    return rows.map((row) => ({ cursor: row.cursor, ...(JSON.parse(row.body) as Omit<ModlogEntry, 'cursor'>) }));
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #expireOld(): void {
    const now = this.#o.now();
    if (now - this.#expiredAt < EXPIRE_EVERY_MS) return;
    this.#expiredAt = now;
    this.#expire.run(now - this.#o.retentionMs);
  }
}
