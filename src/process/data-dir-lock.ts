import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const LOCK_FILE = 'chorus.lock';
const PID_FILE = 'chorus.pid';
const SQLITE_BUSY = 5;

/**
 * One embedded server per data directory: two would both append to its
 * SQLite log and each other's seqs would collide. The lock is SQLite's own
 * exclusive file lock on `chorus.lock`, held for as long as the connection is
 * open. The operating system drops it when the process dies, however it dies,
 * so a killed server never leaves a stale lock (a pid file alone would, and a
 * reused pid would make it look alive). `chorus.pid` only names the owner in
 * the refusal.
 */
export class DataDirLock {
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Takes the directory (creating it if missing) or throws a message that names the owner and the setting. */
  static acquire(dataDir: string): DataDirLock {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    const db = new DatabaseSync(join(dir, LOCK_FILE), { timeout: 0 });
    try {
      // In exclusive locking mode the first write's lock is never released until close.
      db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF; BEGIN EXCLUSIVE; COMMIT;');
    } catch (err) {
      db.close();
      if ((err as { errcode?: number }).errcode !== SQLITE_BUSY) throw err;
      throw new Error(`data directory ${dir} is in use by another Chorus server (pid ${ownerPid(dir)}); stop it, or give this one another directory (--data-dir, CHORUS_DATA_DIR)`);
    }
    writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
    return new DataDirLock(db);
  }

  release(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function ownerPid(dir: string): string {
  try {
    return readFileSync(join(dir, PID_FILE), 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
