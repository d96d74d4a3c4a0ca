import { LuaScript } from '../redis/lua-script.ts';
import { withDeadline, type RedisClient } from '../redis/redis-client.ts';

export interface OrderOwnersOptions {
  redis: RedisClient;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** This gateway, as the others address it (src/regions/order-relay.ts). */
  self: string;
  /** How long a claim holds without renewal; an owner stops acting a quarter of it before. */
  leaseMs: number;
  now?: () => number;
}

// The owner, claimed for `self` if there is none: one round trip, atomic against other claimers.
const CLAIM = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`);
const RENEW = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`);

// An owner acts as one for this share of its lease after a claim or renewal: never past the claim's expiry, whatever Redis's clock.
const ACTING_SHARE = 3 / 4;
// Another gateway's claim is taken on trust for this long: a send then asks Redis about once per partition, not each time.
const OTHERS_CACHE_MS = 250;

/**
 * Which gateway of this region orders the streams of each log partition in
 * global order (docs/regions.md, "Several gateways in a region"): a lease
 * in Redis per partition, claimed by the first gateway that needs one and
 * renewed by it while it lives. One owner stamps, holds and releases every
 * global-order line of its partitions in this region, so the region has one
 * clock and one merger per stream, whatever gateway the sender or the
 * peer's line came in on.
 *
 * A lapsed owner must never stamp beside its successor: it stops counting
 * itself the owner a quarter lease before its claim can expire, and the
 * successor claims only once it has, so its stamps come after the old
 * owner's last (clocks within a quarter lease of each other).
 */
export class OrderOwners {
  readonly #o: OrderOwnersOptions;
  readonly #now: () => number;
  /** Partitions this gateway owns, with when it last claimed or renewed each. */
  readonly #mine = new Map<number, number>();
  /** Other gateways' claims, trusted until a moment. */
  readonly #others = new Map<number, { owner: string; until: number }>();

  constructor(options: OrderOwnersOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get self(): string {
    return this.#o.self;
  }

  /** Whether this gateway orders `partition` now (no Redis call). */
  owns(partition: number): boolean {
    const claimedAt = this.#mine.get(partition);
    return claimedAt !== undefined && this.#now() < claimedAt + this.#o.leaseMs * ACTING_SHARE;
  }

  /** The partitions this gateway orders now. */
  owned(): number[] {
    return [...this.#mine.keys()].filter((p) => this.owns(p));
  }

  /** The gateway ordering `partition`: this one if it owns it or claims it now (`claim`), undefined if none and not claimed. */
  async ownerOf(partition: number, claim: boolean): Promise<string | undefined> {
    if (this.owns(partition)) return this.#o.self;
    const cached = this.#others.get(partition);
    if (cached !== undefined && this.#now() < cached.until) return cached.owner;
    const startedAt = this.#now();
    const key = this.#key(partition);
    const owner = claim
      ? String(await withDeadline(CLAIM.run(this.#o.redis, [key], [this.#o.self, String(this.#o.leaseMs)]), this.#o.commandTimeoutMs))
      : ((await withDeadline(this.#o.redis.get(key), this.#o.commandTimeoutMs)) ?? undefined);
    if (owner === this.#o.self) {
      this.#others.delete(partition);
      this.#mine.set(partition, startedAt);
      return owner;
    }
    this.#mine.delete(partition);
    if (owner !== undefined) this.#others.set(partition, { owner, until: this.#now() + OTHERS_CACHE_MS });
    return owner;
  }

  /** The cached owner of `partition` did not answer as one: ask Redis next time. */
  forget(partition: number): void {
    this.#others.delete(partition);
  }

  /** Keeps this gateway's claims (call it often: a claim is renewed once a third of its lease has passed); returns the partitions lost. */
  async renew(): Promise<number[]> {
    const lost: number[] = [];
    const now = this.#now();
    await Promise.all([...this.#mine].map(async ([p, claimedAt]) => {
      if (now - claimedAt < this.#o.leaseMs / 3) return;
      const kept = await withDeadline(RENEW.run(this.#o.redis, [this.#key(p)], [this.#o.self, String(this.#o.leaseMs)]), this.#o.commandTimeoutMs).catch(() => 0);
      if (kept === 1) this.#mine.set(p, now);
      else if (!this.owns(p)) {
        this.#mine.delete(p);
        lost.push(p);
      }
    }));
    return lost;
  }

  /** Gives every claim up (shutdown): the next gateway to need a partition claims it at once. */
  async release(): Promise<void> {
    const mine = [...this.#mine.keys()];
    this.#mine.clear();
    await Promise.all(mine.map((p) => withDeadline(RELEASE.run(this.#o.redis, [this.#key(p)], [this.#o.self]), this.#o.commandTimeoutMs)));
  }

  #key(partition: number): string {
    return `${this.#o.keyPrefix}region-order-owner:${partition}`;
  }
}
