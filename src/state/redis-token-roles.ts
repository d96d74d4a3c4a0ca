import { LuaScript } from '../redis/lua-script.ts';
import { ROLES, type Role } from '../protocol/types.ts';
import type { TokenRolesRecord } from './state.ts';

// The roles tokens claimed in one stream (StateStore.recordTokenRoles): one
// hash per stream, user -> "<until ms>|<roles>". A new user in a full hash
// first drops the lapsed entries, then the ones recorded longest ago (the
// smallest until), so the hash never holds more than maxPerStream users; the
// whole hash expires keepMs after its newest record. Times come from the
// caller, as in the send check.
//   KEYS[1] the hash
//   ARGV    user field, value, now, maxPerStream, keepMs
export const RECORD_TOKEN_ROLES = new LuaScript(`
local key, max = KEYS[1], tonumber(ARGV[4])
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', key) >= max then
  local now, live = tonumber(ARGV[3]), {}
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    local untilMs = tonumber(string.match(entries[i + 1], '^%d+'))
    if untilMs <= now then redis.call('HDEL', key, entries[i]) else live[#live + 1] = { entries[i], untilMs } end
  end
  table.sort(live, function(a, b) return a[2] < b[2] end)
  for i = 1, #live - max + 1 do redis.call('HDEL', key, live[i][1]) end
end
redis.call('HSET', key, ARGV[1], ARGV[2])
redis.call('PEXPIRE', key, ARGV[5])
`);

export function recordTokenRolesArgs(record: TokenRolesRecord, userField: string): string[] {
  const value = `${record.now + record.keepMs}|${record.roles.join(',')}`;
  return [userField, value, String(record.now), String(record.maxPerStream), String(record.keepMs)];
}

/** A stored value's roles, if it has not lapsed at `now`. */
export function tokenRolesOf(stored: string | null, now: number): Role[] {
  if (stored === null) return [];
  const bar = stored.indexOf('|');
  if (Number(stored.slice(0, bar)) <= now) return [];
  return stored.slice(bar + 1).split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}
