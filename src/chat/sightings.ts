import type { Logger } from 'pino';
import type { StateStore } from '../state/state.ts';

export interface SightingsOptions {
  state: StateStore;
  /** chatterRetentionMs and chattersPerStream: how long and how many users a stream remembers. */
  keepMs: number;
  maxPerStream: number;
  now: () => number;
  logger: Logger;
}

// A gateway records the same user in the same stream at most once per this
// long (the store keeps only the first sighting anyway), and remembers that
// for this many users: a viewer rejoining in a loop costs no write per join.
const REWRITE_MS = 10 * 60_000;
const WRITTEN_MAX = 10_000;

/**
 * When a stream first saw each signed-in user, for the account-age gate
 * (followers-only as "known for N minutes"): a user who watched for an hour
 * before their first line is known for an hour. Recorded on join, off the
 * join's path: a record that cannot be written is logged and the user is then
 * first seen at their first line.
 */
export class Sightings {
  readonly #o: SightingsOptions;
  readonly #written = new Map<string, number>();

  constructor(options: SightingsOptions) {
    this.#o = options;
  }

  note(stream: string, userId: string): void {
    const now = this.#o.now();
    // Length-prefixed, so no stream and user pair can spell another's key.
    const key = `${stream.length}:${stream}${userId}`;
    const last = this.#written.get(key);
    if (last !== undefined && now - last < REWRITE_MS) return;
    this.#written.delete(key);
    this.#written.set(key, now);
    if (this.#written.size > WRITTEN_MAX) this.#written.delete(this.#written.keys().next().value!);
    this.#o.state.noteSighting({ stream, userId, now, chatterKeepMs: this.#o.keepMs, maxChattersPerStream: this.#o.maxPerStream }).catch((err: unknown) => {
      this.#written.delete(key);
      this.#o.logger.warn({ err, stream, user: userId }, 'sighting not recorded');
    });
  }
}
