import { rolesIn, type Identity } from '../auth/identity.ts';
import { ROLES, type GrantableRole, type Role } from '../protocol/types.ts';
import type { StateStore } from '../state/state.ts';
import { StreamReadCache, type CachedStateOptions } from './stream-read-cache.ts';

/** A stream's granted roles by user id, shared by every caller: never changed in place. */
export type StreamGrants = ReadonlyMap<string, readonly GrantableRole[]>;

/**
 * A user's roles on a stream are the token's plus those the broadcaster
 * granted on the server. Every send and moderator action needs them, so the
 * grants come from a per-gateway cache (stream-read-cache.ts) instead of the state
 * store; a change made here reaches the store first and then clears this
 * gateway's copy, so it counts here at once.
 */
export class GrantedRoles {
  readonly #state: StateStore;
  readonly #cache: StreamReadCache<StreamGrants>;

  constructor(options: CachedStateOptions) {
    this.#state = options.state;
    this.#cache = new StreamReadCache<StreamGrants>({ ...options, read: (stream) => options.state.getGrants(stream) });
  }

  /** The identity with its granted roles on `stream` added (in ROLES order); the same object when it has none. */
  async effective(identity: Identity | null, stream: string): Promise<Identity | null> {
    if (identity === null) return null;
    const granted = (await this.#cache.get(stream)).get(identity.id);
    if (granted === undefined || granted.length === 0) return identity;
    const own = rolesIn(identity, stream);
    const roles: Record<string, readonly Role[]> = Object.assign(Object.create(null), identity.roles);
    roles[stream] = ROLES.filter((r) => own.includes(r) || (granted as readonly Role[]).includes(r));
    return { ...identity, roles };
  }

  /** The roles granted to one user on `stream` (cached like `effective`). */
  async of(stream: string, userId: string): Promise<readonly GrantableRole[]> {
    return (await this.#cache.get(stream)).get(userId) ?? [];
  }

  /** The stream's grants as stored now (for listing), bypassing the cache. */
  list(stream: string): Promise<Map<string, GrantableRole[]>> {
    return this.#state.getGrants(stream);
  }

  /** Stores a user's granted roles; this gateway sees the change at once. */
  async set(stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    await this.#state.setGrant(stream, userId, roles);
    this.#cache.forget(stream);
  }
}
