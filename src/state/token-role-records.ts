import type { Role } from '../protocol/types.ts';
import { sweepStep } from './sweep.ts';
import type { TokenRolesRecord } from './state.ts';

interface Entry {
  roles: readonly Role[];
  until: number;
}

/**
 * The embedded store's record of the roles tokens claimed per stream
 * (StateStore.recordTokenRoles). Each stream's users are in the order they
 * were last recorded, so the front holds the lapsed ones and the one to
 * displace when the stream is full. Kept in memory only: after a restart
 * every connection joins again and is recorded again.
 */
export class TokenRoleRecords {
  /** stream -> user id -> entry, users in the order of their last record. */
  readonly #streams = new Map<string, Map<string, Entry>>();

  record(record: TokenRolesRecord): void {
    let users = this.#streams.get(record.stream);
    if (users === undefined) this.#streams.set(record.stream, (users = new Map()));
    users.delete(record.userId);
    dropLapsed(users, record.now);
    while (users.size >= record.maxPerStream) users.delete(users.keys().next().value!);
    users.set(record.userId, { roles: [...record.roles], until: record.now + record.keepMs });
    // Streams nobody privileged joined for keepMs go, a couple per record, so the map never holds them for long.
    sweepStep(this.#streams, (others) => dropLapsed(others, record.now) === 0, 2);
  }

  get(stream: string, userId: string, now: number): Role[] {
    const entry = this.#streams.get(stream)?.get(userId);
    return entry === undefined || entry.until <= now ? [] : [...entry.roles];
  }
}

/** Drops the lapsed users at the front; returns how many are left. */
function dropLapsed(users: Map<string, Entry>, now: number): number {
  for (const [user, entry] of users) {
    if (entry.until > now) break;
    users.delete(user);
  }
  return users.size;
}
