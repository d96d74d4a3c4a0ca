import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { DEFAULT_MODES, DEFAULT_RULES, GRANTABLE_ROLES, type GrantableRole, type Modes, type StreamRules } from '../protocol/types.ts';
import { copyImages, EMPTY_IMAGES, type StreamImages } from '../protocol/stream-images.ts';
import type { Ban, Standing } from './state.ts';
import type { PersistedState, StatePersistence } from './state-persistence.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stream_modes (stream TEXT PRIMARY KEY, modes TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_rules (stream TEXT PRIMARY KEY, rules TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_images (stream TEXT PRIMARY KEY, images TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bans (
  stream  TEXT NOT NULL,
  user_id TEXT NOT NULL,
  until   INTEGER, -- ms since epoch; NULL for a permanent ban
  PRIMARY KEY (stream, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grants (
  stream  TEXT NOT NULL,
  user_id TEXT NOT NULL,
  roles   TEXT NOT NULL, -- JSON list of granted roles
  PRIMARY KEY (stream, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS standings (
  stream     TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  warning    TEXT,             -- a warning not yet acknowledged; NULL for none
  restricted INTEGER NOT NULL, -- 1 while restricted
  PRIMARY KEY (stream, user_id)
) WITHOUT ROWID;
`;

/**
 * Modes, rules, bans and granted roles of the embedded state in SQLite tables, through a
 * connection of its own on the main thread: these writes are moderator
 * actions, rare enough to be synchronous, and WAL lets them share the file
 * with the log's writer thread.
 */
export class SqliteStatePersistence implements StatePersistence {
  readonly #db: DatabaseSync;
  readonly #saveModes: StatementSync;
  readonly #saveRules: StatementSync;
  readonly #saveImages: StatementSync;
  readonly #saveBan: StatementSync;
  readonly #deleteBan: StatementSync;
  readonly #saveGrant: StatementSync;
  readonly #deleteGrant: StatementSync;
  readonly #saveStanding: StatementSync;
  readonly #deleteStanding: StatementSync;

  /** `file`: the database file, usually the durable log's own; its directory is created if missing. */
  constructor(file: string) {
    const path = resolve(file);
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path, { timeout: 5000 });
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    this.#db.exec(SCHEMA);
    this.#saveModes = this.#db.prepare('INSERT OR REPLACE INTO stream_modes (stream, modes) VALUES (?, ?)');
    this.#saveRules = this.#db.prepare('INSERT OR REPLACE INTO stream_rules (stream, rules) VALUES (?, ?)');
    this.#saveImages = this.#db.prepare('INSERT OR REPLACE INTO stream_images (stream, images) VALUES (?, ?)');
    this.#saveBan = this.#db.prepare('INSERT OR REPLACE INTO bans (stream, user_id, until) VALUES (?, ?, ?)');
    this.#deleteBan = this.#db.prepare('DELETE FROM bans WHERE stream = ? AND user_id = ?');
    this.#saveGrant = this.#db.prepare('INSERT OR REPLACE INTO grants (stream, user_id, roles) VALUES (?, ?, ?)');
    this.#deleteGrant = this.#db.prepare('DELETE FROM grants WHERE stream = ? AND user_id = ?');
    this.#saveStanding = this.#db.prepare('INSERT OR REPLACE INTO standings (stream, user_id, warning, restricted) VALUES (?, ?, ?, ?)');
    this.#deleteStanding = this.#db.prepare('DELETE FROM standings WHERE stream = ? AND user_id = ?');
  }

  load(now: number): PersistedState {
    this.#db.prepare('DELETE FROM bans WHERE until IS NOT NULL AND until <= ?').run(now);
    const modes = new Map<string, Modes>();
    for (const row of this.#db.prepare('SELECT stream, modes FROM stream_modes').all() as Array<{ stream: string; modes: string }>) {
      // Spread over the defaults, so a Modes field added later gets its default.
      modes.set(row.stream, { ...DEFAULT_MODES, ...(JSON.parse(row.modes) as Partial<Modes>) });
    }
    const rules = new Map<string, StreamRules>();
    for (const row of this.#db.prepare('SELECT stream, rules FROM stream_rules').all() as Array<{ stream: string; rules: string }>) {
      rules.set(row.stream, { ...DEFAULT_RULES, ...(JSON.parse(row.rules) as Partial<StreamRules>) });
    }
    const images = new Map<string, StreamImages>();
    for (const row of this.#db.prepare('SELECT stream, images FROM stream_images').all() as Array<{ stream: string; images: string }>) {
      images.set(row.stream, copyImages({ ...EMPTY_IMAGES, ...(JSON.parse(row.images) as Partial<StreamImages>) }));
    }
    const bans = new Map<string, Map<string, Ban>>();
    for (const row of this.#db.prepare('SELECT stream, user_id, until FROM bans').all() as Array<{ stream: string; user_id: string; until: number | null }>) {
      let users = bans.get(row.stream);
      if (users === undefined) bans.set(row.stream, (users = new Map()));
      users.set(row.user_id, { until: row.until });
    }
    const grants = new Map<string, Map<string, GrantableRole[]>>();
    for (const row of this.#db.prepare('SELECT stream, user_id, roles FROM grants').all() as Array<{ stream: string; user_id: string; roles: string }>) {
      let users = grants.get(row.stream);
      if (users === undefined) grants.set(row.stream, (users = new Map()));
      // Only roles this version can grant: a role dropped later is not granted by a stale row.
      users.set(row.user_id, (JSON.parse(row.roles) as string[]).filter((r): r is GrantableRole => (GRANTABLE_ROLES as readonly string[]).includes(r)));
    }
    const standings = new Map<string, Map<string, Standing>>();
    for (const row of this.#db.prepare('SELECT stream, user_id, warning, restricted FROM standings').all() as Array<{ stream: string; user_id: string; warning: string | null; restricted: number }>) {
      let users = standings.get(row.stream);
      if (users === undefined) standings.set(row.stream, (users = new Map()));
      users.set(row.user_id, { warning: row.warning, restricted: row.restricted === 1 });
    }
    return { modes, rules, images, bans, grants, standings };
  }

  saveModes(stream: string, modes: Modes): void {
    this.#saveModes.run(stream, JSON.stringify(modes));
  }

  saveRules(stream: string, rules: StreamRules): void {
    this.#saveRules.run(stream, JSON.stringify(rules));
  }

  saveImages(stream: string, images: StreamImages): void {
    this.#saveImages.run(stream, JSON.stringify(images));
  }

  saveBan(stream: string, userId: string, ban: Ban): void {
    this.#saveBan.run(stream, userId, ban.until);
  }

  deleteBan(stream: string, userId: string): void {
    this.#deleteBan.run(stream, userId);
  }

  saveGrant(stream: string, userId: string, roles: GrantableRole[]): void {
    if (roles.length === 0) this.#deleteGrant.run(stream, userId);
    else this.#saveGrant.run(stream, userId, JSON.stringify(roles));
  }

  saveStanding(stream: string, userId: string, standing: Standing): void {
    if (standing.warning === null && !standing.restricted) this.#deleteStanding.run(stream, userId);
    else this.#saveStanding.run(stream, userId, standing.warning, standing.restricted ? 1 : 0);
  }

  close(): void {
    this.#db.close();
  }
}
