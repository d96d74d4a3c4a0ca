import { randomUUID } from 'node:crypto';
import { RESP_TYPES } from '@redis/client';
import { copyImages, EMPTY_IMAGES, type StreamImages } from '../protocol/stream-images.ts';
import { DEFAULT_MODES, GRANTABLE_ROLES, MODE_NAMES, type GrantableRole, type Modes, type Pin, type Role, type StreamRules } from '../protocol/types.ts';
import { streamKey, userPart } from '../redis/stream-keys.ts';
import { LuaScript } from '../redis/lua-script.ts';
import { closeRedis, connectRedis, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';
import { CHECK_SEND, CHECK_USER_RATE, checkSendArgs, toSendVerdict, userRateArgs } from './redis-send-check.ts';
import { RECORD_TOKEN_ROLES, recordTokenRolesArgs, tokenRolesOf } from './redis-token-roles.ts';
import { NOTE_SIGHTING, sightingArgs } from './redis-line-check.ts';
import { GrantLimitError, MAX_GRANTS_PER_STREAM, isLineRefusal, type Ban, type SendCheck, type SendVerdict, type Sighting, type Standing, type StateStore, type TokenRolesRecord } from './state.ts';

export interface RedisStateOptions extends RedisSeamOptions {
  /** Multi-region mode: modes show `ordering` (`regional` until a moderator sets it); one region shows it only once set. */
  showOrdering?: boolean;
}

// Rate and slow-mode keys live this much longer than they can refuse a send,
// so a gateway whose clock runs ahead does not see another's keys vanish early.
const EXPIRY_SLACK_MS = 10_000;
const PERMANENT = 'p';

// HSET of a user's grant unless the stream's hash is full (a revoke is HDEL, never refused).
const SET_GRANT = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/**
 * Shared state in Redis, one key family per stream (see docs/operations.md,
 * "Redis keys"). Every key of a stream carries the stream as its hash tag, so
 * on Redis Cluster they share a slot and the send-check script may touch
 * several of them. Modes, rules and bans never expire except timeouts,
 * which expire when they end; rate and slow-mode keys expire once
 * they can no longer refuse anything.
 */
export class RedisState implements StateStore {
  readonly #client: RedisClient;
  readonly #options: RedisStateOptions;
  /** Makes sorted-set members unique across gateways: this instance's id plus a counter. */
  readonly #memberPrefix = randomUUID();
  #members = 0;

  static async connect(options: RedisStateOptions): Promise<RedisState> {
    const client = await connectRedis({ url: options.url, cluster: options.cluster, name: 'chorus-state', commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    return new RedisState(client, options);
  }

  private constructor(client: RedisClient, options: RedisStateOptions) {
    this.#client = client;
    this.#options = options;
  }

  /**
   * One script and one round trip on a single Redis: the stream's checks and
   * the user's window over all streams together. On Redis Cluster the user's
   * window lives in another hash slot, so it is checked first by a script of
   * its own, and a send the stream then refuses is taken back out of it; only
   * accepted sends count in both either way.
   */
  async checkSend(check: SendCheck): Promise<SendVerdict> {
    const base = this.#streamKey(check.stream);
    const user = userPart(check.userId);
    const member = `${this.#memberPrefix}:${this.#members++}`;
    // The line's keys share the stream's hash tag, so they join the stream's script even on Redis Cluster.
    const lineKeys = check.line === undefined ? [] : [`${base}chatter:${user}`, `${base}texts`];
    const streamKeys = [`${base}ban:${user}`, `${base}standing:${user}`, `${base}last:${user}`, `${base}rate:${user}`];
    const userWindow = (check.userRateMax ?? 0) >= 1 && check.rateWindowMs > 0 ? `${this.#options.keyPrefix}{user:${user}}:rate` : undefined;
    if (userWindow === undefined || !this.#options.cluster) {
      const keys = userWindow === undefined ? [...streamKeys, ...lineKeys] : [...streamKeys, userWindow, ...lineKeys];
      return toSendVerdict(await this.#run(CHECK_SEND.run(this.#client, keys, checkSendArgs(check, member, EXPIRY_SLACK_MS, userWindow !== undefined))));
    }
    const overAllStreams = toSendVerdict(await this.#run(CHECK_USER_RATE.run(this.#client, [userWindow], userRateArgs(check, member, EXPIRY_SLACK_MS))));
    if (!overAllStreams.ok) return overAllStreams;
    const verdict = toSendVerdict(await this.#run(CHECK_SEND.run(this.#client, [...streamKeys, ...lineKeys], checkSendArgs(check, member, EXPIRY_SLACK_MS, false))));
    // Only a refusal of the send itself takes it back out of the user's window: one the line refused still counts, as on a single Redis.
    if (!verdict.ok && !isLineRefusal(verdict.code)) await this.#run(this.#client.zRem(userWindow, member));
    return verdict;
  }

  async noteSighting(sighting: Sighting): Promise<void> {
    await this.#run(NOTE_SIGHTING.run(this.#client, [`${this.#streamKey(sighting.stream)}chatter:${userPart(sighting.userId)}`], sightingArgs(sighting)));
  }

  /** The user's record expires chatterKeepMs after their last activity: a record still there is remembered. */
  async firstSeen(stream: string, userId: string, _now: number): Promise<number | null> {
    const seen = await this.#run(this.#client.hGet(`${this.#streamKey(stream)}chatter:${userPart(userId)}`, 'seen'));
    return seen === null || seen === undefined ? null : Number(seen);
  }

  /** The pin is one key; a pin with `until` expires with it, so every gateway stops reading it at the same moment. */
  async getPin(stream: string, now: number): Promise<Pin | null> {
    const stored = await this.#run(this.#client.get(`${this.#streamKey(stream)}pin`));
    if (stored === null) return null;
    const pin = JSON.parse(stored) as Pin;
    return pin.until !== undefined && pin.until <= now ? null : pin;
  }

  async setPin(stream: string, pin: Pin | null): Promise<void> {
    const key = `${this.#streamKey(stream)}pin`;
    if (pin === null) await this.#run(this.#client.del(key));
    else if (pin.until === undefined) await this.#run(this.#client.set(key, JSON.stringify(pin)));
    else await this.#run(this.#client.set(key, JSON.stringify(pin), { PXAT: pin.until }));
  }

  async getModes(stream: string): Promise<Modes> {
    return toModes(await this.#run(this.#client.hGetAll(`${this.#streamKey(stream)}modes`)), this.#options.showOrdering === true);
  }

  async setModes(stream: string, change: Partial<Modes>): Promise<Modes> {
    const key = `${this.#streamKey(stream)}modes`;
    // Field by field, so stray keys of a parsed request body never get stored.
    const fields: Record<string, string> = {};
    for (const mode of MODE_NAMES) {
      if (change[mode] !== undefined) fields[mode] = String(change[mode]);
    }
    const multi = this.#client.multi();
    if (Object.keys(fields).length > 0) multi.hSet(key, fields);
    const replies = await this.#run(multi.hGetAll(key).exec());
    return toModes(replies.at(-1) as unknown as Record<string, string>, this.#options.showOrdering === true);
  }

  async getRules(stream: string): Promise<StreamRules> {
    const stored = await this.#run(this.#client.get(`${this.#streamKey(stream)}rules`));
    if (stored === null) return { blockedTerms: [], blockLinks: false, emotes: [] };
    const rules = JSON.parse(stored) as StreamRules;
    return { blockedTerms: rules.blockedTerms, blockLinks: rules.blockLinks, emotes: rules.emotes };
  }

  async setRules(stream: string, rules: StreamRules): Promise<void> {
    const stored: StreamRules = { blockedTerms: [...rules.blockedTerms], blockLinks: rules.blockLinks, emotes: [...rules.emotes] };
    await this.#run(this.#client.set(`${this.#streamKey(stream)}rules`, JSON.stringify(stored)));
  }

  async getImages(stream: string): Promise<StreamImages> {
    const stored = await this.#run(this.#client.get(`${this.#streamKey(stream)}images`));
    return copyImages(stored === null ? EMPTY_IMAGES : (JSON.parse(stored) as StreamImages));
  }

  async setImages(stream: string, images: StreamImages): Promise<void> {
    await this.#run(this.#client.set(`${this.#streamKey(stream)}images`, JSON.stringify(copyImages(images))));
  }

  async getGrants(stream: string): Promise<Map<string, GrantableRole[]>> {
    // Fields are user ids: as a Map, since a plain object reply drops a user named `__proto__`.
    const hash = await this.#run(this.#client.withTypeMapping({ [RESP_TYPES.MAP]: Map }).hGetAll(`${this.#streamKey(stream)}roles`));
    const grants = new Map<string, GrantableRole[]>();
    for (const [user, roles] of hash as Map<string, string>) {
      grants.set(decodeURIComponent(user), roles.split(',').filter((r): r is GrantableRole => (GRANTABLE_ROLES as readonly string[]).includes(r)));
    }
    return grants;
  }

  async setGrant(stream: string, userId: string, roles: GrantableRole[]): Promise<void> {
    const key = `${this.#streamKey(stream)}roles`;
    if (roles.length === 0) {
      await this.#run(this.#client.hDel(key, userPart(userId)));
      return;
    }
    const stored = await this.#run(SET_GRANT.run(this.#client, [key], [userPart(userId), roles.join(','), String(MAX_GRANTS_PER_STREAM)]));
    if (Number(stored) !== 1) throw new GrantLimitError(`a stream may grant roles to at most ${MAX_GRANTS_PER_STREAM} users`);
  }

  async recordTokenRoles(record: TokenRolesRecord): Promise<void> {
    await this.#run(RECORD_TOKEN_ROLES.run(this.#client, [`${this.#streamKey(record.stream)}tokenroles`], recordTokenRolesArgs(record, userPart(record.userId))));
  }

  async getTokenRoles(stream: string, userId: string, now: number): Promise<Role[]> {
    return tokenRolesOf(await this.#run(this.#client.hGet(`${this.#streamKey(stream)}tokenroles`, userPart(userId))), now);
  }

  async getBan(stream: string, userId: string, now: number): Promise<Ban | null> {
    const stored = await this.#run(this.#client.get(this.#banKey(stream, userId)));
    if (stored === null) return null;
    if (stored === PERMANENT) return { until: null };
    const until = Number(stored);
    return until > now ? { until } : null;
  }

  async setBan(stream: string, userId: string, ban: Ban): Promise<void> {
    const key = this.#banKey(stream, userId);
    if (ban.until === null) await this.#run(this.#client.set(key, PERMANENT));
    // A timeout removes itself when it ends (at once if that is already past).
    else await this.#run(this.#client.set(key, String(ban.until), { expiration: { type: 'PXAT', value: ban.until } }));
  }

  async removeBan(stream: string, userId: string): Promise<boolean> {
    return (await this.#run(this.#client.del(this.#banKey(stream, userId)))) > 0;
  }

  /** A user's standing is one hash beside their ban: `warn` (the reason) and `restricted`; gone when both are. */
  async getStanding(stream: string, userId: string): Promise<Standing> {
    const hash = await this.#run(this.#client.hGetAll(this.#standingKey(stream, userId)));
    return { warning: hash.warn ?? null, restricted: hash.restricted !== undefined };
  }

  async setWarning(stream: string, userId: string, reason: string): Promise<void> {
    await this.#run(this.#client.hSet(this.#standingKey(stream, userId), 'warn', reason));
  }

  async clearWarning(stream: string, userId: string): Promise<boolean> {
    return (await this.#run(this.#client.hDel(this.#standingKey(stream, userId), 'warn'))) > 0;
  }

  async setRestricted(stream: string, userId: string, restricted: boolean): Promise<void> {
    const key = this.#standingKey(stream, userId);
    await this.#run(restricted ? this.#client.hSet(key, 'restricted', '1') : this.#client.hDel(key, 'restricted'));
  }

  async close(): Promise<void> {
    await closeRedis(this.#client);
  }

  #run<T>(command: Promise<T>): Promise<T> {
    return withDeadline(command, this.#options.commandTimeoutMs);
  }

  #streamKey(stream: string): string {
    return streamKey(this.#options.keyPrefix, stream);
  }

  #standingKey(stream: string, userId: string): string {
    return `${this.#streamKey(stream)}standing:${userPart(userId)}`;
  }

  #banKey(stream: string, userId: string): string {
    return `${this.#streamKey(stream)}ban:${userPart(userId)}`;
  }
}

/** Each mode as stored (numbers and flags as text), its default where the hash has none. */
function toModes(hash: Record<string, string>, showOrdering: boolean): Modes {
  const modes: Record<string, number | boolean | string> = { ...DEFAULT_MODES };
  for (const [mode, fallback] of Object.entries(DEFAULT_MODES)) {
    const stored = hash[mode];
    if (stored !== undefined) modes[mode] = typeof fallback === 'boolean' ? stored === 'true' : Number(stored);
  }
  if (hash.ordering === 'regional' || hash.ordering === 'global') modes.ordering = hash.ordering;
  else if (showOrdering) modes.ordering = 'regional';
  return modes as unknown as Modes;
}
