import { LuaScript } from '../redis/lua-script.ts';
import { withDeadline, type RedisClient } from '../redis/redis-client.ts';
import { streamKey } from '../redis/stream-keys.ts';
import { formatHlc, parseHlc, type Hlc } from './hlc.ts';

/**
 * Last writer by HLC (last-writer.ts), region-wide: one Redis key per thing
 * decided about ("the same thing" of docs/regions.md, "Concurrent
 * moderation"), holding the stamp of the decision that holds and its value.
 * A decision is taken only if its stamp is larger than the key's, compared
 * in the script as compareHlc does (wall, counter, region name), so the
 * check and the write are one step for every gateway of the region.
 */
const OFFER = new LuaScript(`
-- Byte by byte, as JavaScript compares region names: Lua's own < follows the server's locale.
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local cur = redis.call('GET', KEYS[1])
if cur then
  local w, l, r = string.match(cur, '^(%d+)%.(%d+)%.([^\\n]*)\\n')
  w = tonumber(w); l = tonumber(l)
  local iw = tonumber(ARGV[1]); local il = tonumber(ARGV[2])
  if iw < w or (iw == w and (il < l or (il == l and not before(r, ARGV[3])))) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '.' .. ARGV[2] .. '.' .. ARGV[3] .. '\\n' .. ARGV[4], 'PX', ARGV[5])
return 1
`);

// A register outlives by far any decision still on its way (the log keeps 3 h); then it goes, so keys stay bounded.
const KEEP_MS = 24 * 3_600_000;

export interface Held {
  hlc: Hlc;
  /** JSON text of the value. */
  value: string;
}

export class LwwRegisters {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(client: RedisClient, keyPrefix: string, commandTimeoutMs: number) {
    this.#client = client;
    this.#prefix = keyPrefix;
    this.#timeoutMs = commandTimeoutMs;
  }

  /** The key of one thing of a stream (`ban:<user>`, `mode:<name>`, `rules`), beside the stream's other keys. */
  key(stream: string, thing: string): string {
    return `${streamKey(this.#prefix, stream)}lww:${thing}`;
  }

  /** True if the decision is now the one that holds (its stamp was larger than the key's). */
  async offer(key: string, hlc: Hlc, value: string): Promise<boolean> {
    const args = [String(hlc.wall), String(hlc.logical), hlc.region, value, String(KEEP_MS)];
    return (await withDeadline(OFFER.run(this.#client, [key], args), this.#timeoutMs)) === 1;
  }

  async read(key: string): Promise<Held | undefined> {
    const stored = await withDeadline(this.#client.get(key), this.#timeoutMs);
    if (typeof stored !== 'string') return undefined;
    const cut = stored.indexOf('\n');
    const hlc = parseHlc(stored.slice(0, cut));
    return hlc === undefined ? undefined : { hlc, value: stored.slice(cut + 1) };
  }
}

/** Of two gateways applying decisions about one thing at once, the later apply may be the older value: re-applied until the state is the register's. */
const MAX_REAPPLY = 3;

/**
 * Offers a decision and, if it holds, applies it to the state, then applies
 * whatever holds afterwards if a newer decision won meanwhile (another
 * gateway may have applied that one before this apply overwrote it).
 * Returns whether this decision held when offered.
 */
export async function decide(registers: LwwRegisters, key: string, hlc: Hlc, value: string, apply: (value: string) => Promise<void>): Promise<boolean> {
  if (!(await registers.offer(key, hlc, value))) return false;
  let applied = formatHlc(hlc);
  await apply(value);
  for (let i = 0; i < MAX_REAPPLY; i++) {
    const held = await registers.read(key);
    if (held === undefined || formatHlc(held.hlc) === applied) break;
    applied = formatHlc(held.hlc);
    await apply(held.value);
  }
  return true;
}
