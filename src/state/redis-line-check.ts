import { LuaScript } from '../redis/lua-script.ts';
import type { LineRules, Sighting } from './state.ts';

// A stream's memory of its chatters and recent texts in Redis, the same rules
// as line-records.ts:
//   chatterKey the user's record, a hash: seen (first sighting, ms), last
//              (last accepted line, ms), text (its key); expires chatterKeepMs
//              after the last line or sighting, so Redis holds only recent chatters
//   textsKey   the stream's recent texts, a sorted set of text keys scored by
//              time, trimmed to the window and to uniqueMaxLines
// Times come from the caller, never Redis's clock (as in the send check).
const SIGHTED = `
local function sighted(key, now, keepMs)
  redis.call('HSETNX', key, 'seen', now)
  redis.call('PEXPIRE', key, keepMs)
end
`;

// check_line(chatterKey, textsKey, now, a, i): the line's rules are a[i] .. a[i + 7]:
// textKey, uniqueWindowMs, uniqueMaxLines, duplicateWindowMs, knownForMs,
// knownSince (or ''), returningAfterMs, chatterKeepMs.
// Replies {'ok', first, returning} or {code, retryAfterMs?}. Part of the send
// check's script (redis-send-check.ts), so a send and its line are one round trip.
export const CHECK_LINE_FUNCTION = SIGHTED + `
local function check_line(chatterKey, textsKey, now, a, i)
  local text = a[i]
  local uniqueMs, uniqueMax, duplicateMs = tonumber(a[i + 1]), tonumber(a[i + 2]), tonumber(a[i + 3])
  local knownForMs, knownSince, returningMs, keepMs = tonumber(a[i + 4]), tonumber(a[i + 5]), tonumber(a[i + 6]), tonumber(a[i + 7])
  sighted(chatterKey, now, keepMs)
  local record = redis.call('HMGET', chatterKey, 'seen', 'last', 'text')
  local seen, last = tonumber(record[1]), tonumber(record[2]) or 0
  if knownSince and knownSince < seen then seen = knownSince end
  if knownForMs >= 0 and now - seen < knownForMs then return {'followers_only', seen + knownForMs - now} end
  if duplicateMs > 0 and last > 0 and record[3] == text and now - last < duplicateMs then
    return {'duplicate', last + duplicateMs - now}
  end
  if uniqueMs > 0 then
    redis.call('ZREMRANGEBYSCORE', textsKey, '-inf', now - uniqueMs)
    if redis.call('ZSCORE', textsKey, text) then return {'r9k'} end
    redis.call('ZADD', textsKey, now, text)
    redis.call('ZREMRANGEBYRANK', textsKey, 0, -uniqueMax - 1)
    redis.call('PEXPIRE', textsKey, uniqueMs)
  else
    redis.call('DEL', textsKey)
  end
  redis.call('HSET', chatterKey, 'last', now, 'text', text)
  local first = last == 0 and 1 or 0
  local returning = (last > 0 and now - last >= returningMs) and 1 or 0
  return {'ok', first, returning}
end
`;

//   KEYS[1] the user's record; ARGV now, chatterKeepMs
export const NOTE_SIGHTING = new LuaScript(SIGHTED + `
sighted(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
`);

/** The line's rules as check_line reads them. */
export function lineRuleArgs(line: LineRules): string[] {
  return [
    line.textKey, String(line.uniqueWindowMs), String(line.uniqueMaxLines), String(line.duplicateWindowMs),
    String(line.knownForMs), line.knownSince === undefined ? '' : String(line.knownSince), String(line.returningAfterMs), String(line.chatterKeepMs),
  ];
}

export function sightingArgs(sighting: Sighting): string[] {
  return [String(sighting.now), String(sighting.chatterKeepMs)];
}
