import { LuaScript } from '../redis/lua-script.ts';
import type { SendCheck, SendVerdict } from './state.ts';

// The whole send check in one atomic round trip, the same rules as
// send-windows.ts and MemoryState.checkSend:
//   KEYS[1] the ban: 'p' (permanent) or the ms a timeout ends
//   KEYS[2] the user's last accepted send (ms), for slow mode
//   KEYS[3] the user's accepted sends in the rate window: a sorted set scored
//           by time, trimmed to the newest rateMax, so it stays bounded
//   ARGV    now, slowMs, rateMax, rateWindowMs, a unique member id, expiry slack
// Times come from the caller (`now`), never from Redis's clock, so gateways
// and the embedded store agree; key expiry only reclaims memory, with slack
// for clock skew between gateways.
// Replies {'ok'} or {code, retryAfterMs} ({'banned'} without a retry time).
const SOURCE = `
local now = tonumber(ARGV[1])
local slowMs = tonumber(ARGV[2])
local rateMax = tonumber(ARGV[3])
local windowMs = tonumber(ARGV[4])
local slack = tonumber(ARGV[6])

local ban = redis.call('GET', KEYS[1])
if ban then
  if ban == 'p' then return {'banned'} end
  local untilMs = tonumber(ban)
  if untilMs > now then return {'timed_out', untilMs - now} end
end

local last = tonumber(redis.call('GET', KEYS[2]))
if slowMs > 0 and last and last + slowMs > now then
  return {'slow_mode', last + slowMs - now}
end

local limited = rateMax >= 1 and windowMs > 0
if limited then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - windowMs)
  local count = redis.call('ZCARD', KEYS[3])
  if count >= rateMax then
    local oldest = redis.call('ZRANGE', KEYS[3], count - rateMax, count - rateMax, 'WITHSCORES')
    return {'rate_limited', tonumber(oldest[2]) + windowMs - now}
  end
  redis.call('ZADD', KEYS[3], now, ARGV[5])
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -rateMax - 1)
  redis.call('PEXPIRE', KEYS[3], windowMs + slack)
else
  redis.call('DEL', KEYS[3])
end
redis.call('SET', KEYS[2], now, 'PX', math.max(slowMs, limited and windowMs or 0) + slack)
return {'ok'}
`;

export const CHECK_SEND = new LuaScript(SOURCE);

export function checkSendArgs(check: SendCheck, member: string, slackMs: number): string[] {
  return [String(check.now), String(check.slowSeconds * 1000), String(check.rateMax), String(check.rateWindowMs), member, String(slackMs)];
}

export function toSendVerdict(reply: unknown): SendVerdict {
  const [code, retryAfterMs] = reply as [string, number?];
  switch (code) {
    case 'ok':
      return { ok: true };
    case 'banned':
      return { ok: false, code };
    case 'timed_out':
    case 'slow_mode':
    case 'rate_limited':
      return { ok: false, code, retryAfterMs: Number(retryAfterMs) };
    default:
      throw new Error(`unexpected send-check reply ${JSON.stringify(reply)}`);
  }
}
