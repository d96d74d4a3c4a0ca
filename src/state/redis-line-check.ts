import { LuaScript } from '../redis/lua-script.ts';
import type { LineCheck, LineVerdict, Sighting } from './state.ts';

// A stream's memory of its chatters and recent texts in Redis, the same rules
// as line-records.ts:
//   KEYS[1] the user's record, a hash: seen (first sighting, ms), last (last
//           accepted line, ms), text (its key); expires chatterKeepMs after
//           the last line or sighting, so Redis holds only recent chatters
//   KEYS[2] the stream's recent texts, a sorted set of text keys scored by
//           time, trimmed to the window and to uniqueMaxLines
// Times come from the caller, never Redis's clock (as in the send check).
const SIGHTED = `
local function sighted(key, now, keepMs)
  redis.call('HSETNX', key, 'seen', now)
  redis.call('PEXPIRE', key, keepMs)
end
`;

//   ARGV now, textKey, uniqueWindowMs, uniqueMaxLines, duplicateWindowMs,
//        knownForMs, knownSince (or ''), returningAfterMs, chatterKeepMs
// Replies {'ok', first, returning} or {code, retryAfterMs?}.
export const CHECK_LINE = new LuaScript(SIGHTED + `
local now, text = tonumber(ARGV[1]), ARGV[2]
local uniqueMs, uniqueMax, duplicateMs = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local knownForMs, knownSince, returningMs, keepMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
sighted(KEYS[1], now, keepMs)
local record = redis.call('HMGET', KEYS[1], 'seen', 'last', 'text')
local seen, last = tonumber(record[1]), tonumber(record[2]) or 0
if knownSince and knownSince < seen then seen = knownSince end
if knownForMs >= 0 and now - seen < knownForMs then return {'followers_only', seen + knownForMs - now} end
if duplicateMs > 0 and last > 0 and record[3] == text and now - last < duplicateMs then
  return {'duplicate', last + duplicateMs - now}
end
if uniqueMs > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - uniqueMs)
  if redis.call('ZSCORE', KEYS[2], text) then return {'r9k'} end
  redis.call('ZADD', KEYS[2], now, text)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -uniqueMax - 1)
  redis.call('PEXPIRE', KEYS[2], uniqueMs)
else
  redis.call('DEL', KEYS[2])
end
redis.call('HSET', KEYS[1], 'last', now, 'text', text)
local first = last == 0 and 1 or 0
local returning = (last > 0 and now - last >= returningMs) and 1 or 0
return {'ok', first, returning}
`);

//   KEYS[1] the user's record; ARGV now, chatterKeepMs
export const NOTE_SIGHTING = new LuaScript(SIGHTED + `
sighted(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
`);

export function checkLineArgs(check: LineCheck): string[] {
  return [
    String(check.now), check.textKey, String(check.uniqueWindowMs), String(check.uniqueMaxLines), String(check.duplicateWindowMs),
    String(check.knownForMs), check.knownSince === undefined ? '' : String(check.knownSince), String(check.returningAfterMs), String(check.chatterKeepMs),
  ];
}

export function sightingArgs(sighting: Sighting): string[] {
  return [String(sighting.now), String(sighting.chatterKeepMs)];
}

export function toLineVerdict(reply: unknown): LineVerdict {
  const [code, a, b] = reply as [string, number?, number?];
  switch (code) {
    case 'ok':
      return { ok: true, first: Number(a) === 1, returning: Number(b) === 1 };
    case 'r9k':
      return { ok: false, code };
    case 'duplicate':
    case 'followers_only':
      return { ok: false, code, retryAfterMs: Number(a) };
    default:
      throw new Error(`unexpected line-check reply ${JSON.stringify(reply)}`);
  }
}
