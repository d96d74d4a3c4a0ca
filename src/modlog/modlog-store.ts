import type { ModlogEntry } from '../protocol/modlog-entry.ts';

/** A page of a stream's audit log: newest first. */
export interface ModlogQuery {
  /** Only entries with a smaller cursor (the last entry of the previous page); all when absent. */
  before?: number;
  limit: number;
  /** Only entries about this user. */
  user?: string;
}

export interface ModlogStoreOptions {
  /** modlogRetentionMs: an entry older than this is no longer read, and is deleted. */
  retentionMs: number;
  /** modlogMaxPerStream: a stream keeps its newest this many entries. */
  maxPerStream: number;
  now: () => number;
}

/**
 * The audit log of moderator actions, kept beside the chat log and apart
 * from it: an SQLite file of its own embedded, a topic of its own in cluster
 * mode. Bounded by age and per stream.
 */
export interface ModlogStore {
  /** Stores an entry; resolves with it, its cursor set, once it is durable. */
  append(entry: Omit<ModlogEntry, 'cursor'>): Promise<ModlogEntry>;
  page(stream: string, query: ModlogQuery): Promise<ModlogEntry[]>;
  close(): Promise<void>;
}
