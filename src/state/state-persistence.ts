import type { StreamImages } from '../protocol/stream-images.ts';
import type { GrantableRole, Modes, StreamRules } from '../protocol/types.ts';
import type { Ban, Standing } from './state.ts';

/** What MemoryState keeps across restarts: moderator decisions, never per-message counters. */
export interface PersistedState {
  modes: Map<string, Modes>;
  rules: Map<string, StreamRules>;
  images: Map<string, StreamImages>;
  /** stream -> user id -> ban */
  bans: Map<string, Map<string, Ban>>;
  /** stream -> user id -> roles granted on the server */
  grants: Map<string, Map<string, GrantableRole[]>>;
  /** stream -> user id -> warning and restriction */
  standings: Map<string, Map<string, Standing>>;
}

/**
 * Durable storage for the embedded state. Writes are moderator actions, rare
 * enough to be synchronous; each returns once the change is stored.
 */
export interface StatePersistence {
  /** Everything stored; timeouts that ended before `now` are dropped. */
  load(now: number): PersistedState;
  saveModes(stream: string, modes: Modes): void;
  saveRules(stream: string, rules: StreamRules): void;
  saveImages(stream: string, images: StreamImages): void;
  saveBan(stream: string, userId: string, ban: Ban): void;
  deleteBan(stream: string, userId: string): void;
  /** An empty list deletes the user's grants. */
  saveGrant(stream: string, userId: string, roles: GrantableRole[]): void;
  /** No warning and no restriction deletes the user's row. */
  saveStanding(stream: string, userId: string, standing: Standing): void;
  close(): void;
}
