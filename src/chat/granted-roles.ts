import type { Identity } from '../auth/identity.ts';
import type { GrantableRole } from '../protocol/types.ts';
import type { StateStore } from '../state/state.ts';

export interface GrantedRolesOptions {
  state: StateStore;
  /** How long a stream's grants are reused before they are read again: another gateway's grant takes effect here within it. */
  ttlMs: number;
  /** Streams whose grants are kept; the least recently used is dropped beyond it. */
  maxStreams: number;
  now: () => number;
}

interface Cached {
  grants: Map<string, GrantableRole[]>;
  readAt: number;
}

/**
 * A user's roles on a stream are the token's plus those the broadcaster
 * granted on the server. Every send and moderator action needs them, so each
 * stream's grants (a small map) are read once per `ttlMs` per gateway, with
 * concurrent reads of one stream sharing one call, instead of once per send.
 */
export class GrantedRoles {
  readonly #o: GrantedRolesOptions;
  readonly #cache = new Map<string, Cached>();
  readonly #reading = new Map<string, Promise<Map<string, GrantableRole[]>>>();
  /** Bumped by every change made here, so a read that began before it never caches the old grants. */
  #changes = 0;

  constructor(options: GrantedRolesOptions) {
    this.#o = options;
  }

  /** The identity with its granted roles on `stream` added; the same object when it has none. */
  async effective(identity: Identity | null, stream: string): Promise<Identity | null> {
    if (identity === null) return null;
    const granted = (await this.#grantsOf(stream)).get(identity.id);
    if (granted === undefined || granted.length === 0) return identity;
    const own = identity.roles[stream] ?? [];
    return { ...identity, roles: { ...identity.roles, [stream]: [...new Set([...own, ...granted])] } };
  }

  /** The stream's grants as stored now (for listing), bypassing the cache. */
  list(stream: string): Promise<Map<string, GrantableRole[]>> {
    return this.#o.state.getGrants(stream);
  }

  /** Stores a user's granted roles; this gateway sees the change at once. */
  async set(stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    await this.#o.state.setGrant(stream, userId, roles);
    this.#changes++;
    this.#cache.delete(stream);
    this.#reading.delete(stream);
  }

  #grantsOf(stream: string): Promise<Map<string, GrantableRole[]>> | Map<string, GrantableRole[]> {
    const cached = this.#cache.get(stream);
    if (cached !== undefined && this.#o.now() - cached.readAt < this.#o.ttlMs) {
      // Re-inserted, so the map's order is least recently used first.
      this.#cache.delete(stream);
      this.#cache.set(stream, cached);
      return cached.grants;
    }
    let reading = this.#reading.get(stream);
    if (reading === undefined) {
      const readAt = this.#o.now();
      const changes = this.#changes;
      reading = this.#o.state.getGrants(stream).then((grants) => {
        if (changes !== this.#changes) return grants;
        this.#cache.delete(stream);
        this.#cache.set(stream, { grants, readAt });
        if (this.#cache.size > this.#o.maxStreams) this.#cache.delete(this.#cache.keys().next().value!);
        return grants;
      });
      const shared = reading;
      void shared.finally(() => {
        if (this.#reading.get(stream) === shared) this.#reading.delete(stream);
      }).catch(() => {});
      this.#reading.set(stream, reading);
    }
    return reading;
  }
}
