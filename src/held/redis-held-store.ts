import { LuaScript } from '../redis/lua-script.ts';
import { closeRedis, connectRedis, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';
import { streamKey } from '../redis/stream-keys.ts';
import type { HeldMessage, HeldStore, HeldStoreBounds, TakenFor } from './held-store.ts';

// Streams with held lines the expiry looks at, at most (the newest held in); the others' keys vanish by their ttl.
const MAX_STREAMS = 10_000;

// KEYS: the stream's lines (hash id -> JSON), their order (zset id -> heldAt). The keys live a ttl past the newest line.
const ADD = new LuaScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local out = {}
while redis.call('ZCARD', KEYS[2]) > tonumber(ARGV[4]) do
  local id = redis.call('ZPOPMIN', KEYS[2])[1]
  out[#out + 1] = redis.call('HGET', KEYS[1], id)
  redis.call('HDEL', KEYS[1], id)
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return out`);
// Lines held after ARGV[1] (younger than the ttl).
const LIST = new LuaScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))`);
const TAKE = new LuaScript(`
local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not at or tonumber(at) <= tonumber(ARGV[2]) then return false end
local line = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return line`);
// Lines held at or before ARGV[1] (their ttl has passed), each removed here, so one caller gets it.
const EXPIRE = new LuaScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = redis.call('HGET', KEYS[1], id)
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return {out, redis.call('ZCARD', KEYS[2])}`);

/**
 * Held lines in Redis (cluster mode): every gateway of the region sees the
 * same queue, so a moderator anywhere approves or denies a line held on any
 * gateway. A stream's two keys share its hash tag (one slot on Redis
 * Cluster, so each script runs on one node); the set of streams with held
 * lines, which the expiry walks, is a key of its own.
 */
export class RedisHeldStore implements HeldStore {
  readonly #client: RedisClient;
  readonly #o: RedisSeamOptions & HeldStoreBounds;

  static async connect(options: RedisSeamOptions & HeldStoreBounds): Promise<RedisHeldStore> {
    const client = await connectRedis({ url: options.url, cluster: options.cluster, name: 'chorus-held', commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    return new RedisHeldStore(client, options);
  }

  private constructor(client: RedisClient, options: RedisSeamOptions & HeldStoreBounds) {
    this.#client = client;
    this.#o = options;
  }

  async add(held: HeldMessage): Promise<HeldMessage[]> {
    const pushedOut = await this.#run(ADD, held.stream, [held.id, JSON.stringify(held), String(held.heldAt), String(this.#o.perStream), String(this.#o.ttlMs)]) as string[];
    const streams = this.#streamsKey();
    await this.#command(this.#client.zAdd(streams, { score: held.heldAt, value: held.stream }));
    await this.#command(this.#client.zRemRangeByRank(streams, 0, -MAX_STREAMS - 1));
    return pushedOut.map(parse);
  }

  async list(stream: string, now: number): Promise<HeldMessage[]> {
    const lines = await this.#run(LIST, stream, [String(now - this.#o.ttlMs)]) as Array<string | null>;
    return lines.flatMap((line) => (line === null ? [] : [parse(line)]));
  }

  async take(stream: string, id: string, now: number, _outcome: TakenFor): Promise<HeldMessage | undefined> {
    const line = await this.#run(TAKE, stream, [id, String(now - this.#o.ttlMs)]) as string | null;
    return line === null ? undefined : parse(line);
  }

  async expire(now: number): Promise<HeldMessage[]> {
    const streamsKey = this.#streamsKey();
    const streams = await this.#command(this.#client.zRange(streamsKey, 0, -1));
    const gone: HeldMessage[] = [];
    for (const stream of streams) {
      const [lines, left] = await this.#run(EXPIRE, stream, [String(now - this.#o.ttlMs)]) as [string[], number];
      gone.push(...lines.map(parse));
      // A line held meanwhile adds its stream again.
      if (left === 0) await this.#command(this.#client.zRem(streamsKey, stream));
    }
    return gone;
  }

  close(): Promise<void> {
    return closeRedis(this.#client);
  }

  #run(script: LuaScript, stream: string, args: string[]): Promise<unknown> {
    const key = streamKey(this.#o.keyPrefix, stream);
    return this.#command(script.run(this.#client, [`${key}held`, `${key}held-at`], args));
  }

  #command<T>(command: Promise<T>): Promise<T> {
    return withDeadline(command, this.#o.commandTimeoutMs);
  }

  #streamsKey(): string {
    return `${this.#o.keyPrefix}held-streams`;
  }
}

function parse(line: string): HeldMessage {
  const held = JSON.parse(line) as HeldMessage;
  // JSON drops an undefined field; the type has it.
  return { ...held, emotes: held.emotes };
}
