import type { Logger } from 'pino';
import { rolesIn, type Identity } from '../auth/identity.ts';
import type { Role } from '../protocol/types.ts';
import type { StateStore } from '../state/state.ts';

export interface TokenRolesOptions {
  state: StateStore;
  /** How long a record lasts after its holder last joined or acted (retentionMs, as long as their lines would show their badges). */
  keepMs: number;
  /** tokenRolesMaxPerStream */
  maxPerStream: number;
  now: () => number;
  logger: Logger;
}

/** The roles the moderation hierarchy ranks: only these are worth a write. */
const RANKED: readonly Role[] = ['broadcaster', 'moderator'];
// A gateway writes the same record again at most this often (the record lasts keepMs), and remembers
// that for this many users: a moderator joining and leaving in a loop costs no write per join.
const REWRITE_MS = 60_000;
const WRITTEN_MAX = 10_000;

/**
 * The roles a user's token claimed in a stream, as far as the other users
 * of the stream know them. A moderator acting on another user needs that
 * user's roles, but a token is only seen by the gateway its holder is
 * connected to; so when a broadcaster or moderator joins a stream (or acts
 * there) their claim is recorded in the shared state, where the hierarchy
 * reads it (moderator-actions.ts). Viewers cost nothing here.
 */
export class TokenRoles {
  readonly #o: TokenRolesOptions;
  /** stream and user -> the roles this gateway last recorded and when; bounded, oldest first. */
  readonly #written = new Map<string, { roles: string; at: number }>();

  constructor(options: TokenRolesOptions) {
    this.#o = options;
  }

  /**
   * Records the identity's ranked roles in `stream`, if it has any. Never
   * fails: a record that cannot be written is logged, and the join or action
   * goes on (the user is then known only by their lines' badges, as before).
   */
  async note(identity: Identity | null, stream: string): Promise<void> {
    const claimed = rolesIn(identity, stream);
    if (identity === null || !claimed.some((r) => RANKED.includes(r))) return;
    const roles = RANKED.filter((r) => claimed.includes(r));
    const now = this.#o.now();
    // Length-prefixed, so no stream and user pair can spell another's key.
    const key = `${stream.length}:${stream}${identity.id}`;
    const last = this.#written.get(key);
    if (last !== undefined && last.roles === roles.join() && now - last.at < Math.min(REWRITE_MS, this.#o.keepMs / 2)) return;
    try {
      await this.#o.state.recordTokenRoles({ stream, userId: identity.id, roles, now, keepMs: this.#o.keepMs, maxPerStream: this.#o.maxPerStream });
    } catch (err) {
      this.#o.logger.warn({ err, stream, user: identity.id }, 'token roles not recorded');
      return;
    }
    this.#written.delete(key);
    this.#written.set(key, { roles: roles.join(), at: now });
    if (this.#written.size > WRITTEN_MAX) this.#written.delete(this.#written.keys().next().value!);
  }

  /** note() for each stream (a sign-in on a connection that already watches them). */
  async noteAll(identity: Identity, streams: Iterable<string>): Promise<void> {
    await Promise.all(Array.from(streams, (stream) => this.note(identity, stream)));
  }

  /** The ranked roles recorded for a user in `stream` (none once the record lapsed). */
  of(stream: string, userId: string): Promise<Role[]> {
    return this.#o.state.getTokenRoles(stream, userId, this.#o.now());
  }
}
