import { LuaScript } from '../redis/lua-script.ts';
import type { SendCheck, SendVerdict } from './state.ts';
import { CHECK_LINE_FUNCTION, lineRuleArgs } from './redis-line-check.ts';

// A sliding window of accepted sends: a sorted set scored by time, trimmed to
// the newest `max`, so it stays bounded. Shared by both scripts below.
//   refusal: drops the sends that left the window; the ms until the one that
//            must leave before another fits, or nil when one fits now
//   record:  adds this send (a unique member) and renews the key's expiry
const WINDOW = `
local function refusal(key, now, max, windowMs)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)
  local count = redis.call('ZCARD', key)
  if count < max then return nil end
  local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
  return tonumber(oldest[2]) + windowMs - now
end
local function record(key, now, max, windowMs, member, slack)
  redis.call('ZADD', key, now, member)
  redis.call('ZREMRANGEBYRANK', key, 0, -max - 1)
  redis.call('PEXPIRE', key, windowMs + slack)
end
`;

// The whole send check of one stream in one atomic round trip, the same rules
// and order as send-windows.ts and MemoryState.checkSend, then (optionally)
// the line's checks (redis-line-check.ts):
//   KEYS    the ban ('p' permanent, or the ms a timeout ends); the user's
//           standing (hash: `warn` the unacknowledged warning's reason,
//           `restricted` present while restricted); the user's last accepted
//           send (ms, slow mode); the user's accepted sends in the rate window
//           (WINDOW); then the user's window over all streams when ARGV[7] >= 1
//           (only where one script may touch both slots, not Redis Cluster);
//           then the user's record and the stream's recent texts when ARGV[8]
//           is '1'
//   ARGV    now, slowMs, rateMax, rateWindowMs, a unique member id, expiry
//           slack, userRateMax ('0' without its key), '1' to check the line,
//           then the line's rules (lineRuleArgs)
// Times come from the caller (`now`), never from Redis's clock, so gateways
// and the embedded store agree; key expiry only reclaims memory, with slack
// for clock skew between gateways.
// Replies {'ok', restricted 0/1, first, returning} (first and returning -1
// without a line check), {'warned', 0, reason} or {code, retryAfterMs}
// ({'banned'} and {'r9k'} without a retry time).
const SOURCE = WINDOW + CHECK_LINE_FUNCTION + `
local now = tonumber(ARGV[1])
local slowMs = tonumber(ARGV[2])
local rateMax = tonumber(ARGV[3])
local windowMs = tonumber(ARGV[4])
local slack = tonumber(ARGV[6])
local userMax = tonumber(ARGV[7])
local lineKeys = userMax >= 1 and 6 or 5

local ban = redis.call('GET', KEYS[1])
if ban then
  if ban == 'p' then return {'banned'} end
  local untilMs = tonumber(ban)
  if untilMs > now then return {'timed_out', untilMs - now} end
end
local warning = redis.call('HGET', KEYS[2], 'warn')
if warning then return {'warned', 0, warning} end

local last = tonumber(redis.call('GET', KEYS[3]))
if slowMs > 0 and last and last + slowMs > now then
  return {'slow_mode', last + slowMs - now}
end

local limited = rateMax >= 1 and windowMs > 0
if limited then
  local wait = refusal(KEYS[4], now, rateMax, windowMs)
  if wait then return {'rate_limited', wait} end
end
if userMax >= 1 and windowMs > 0 then
  local wait = refusal(KEYS[5], now, userMax, windowMs)
  if wait then return {'rate_limited', wait} end
  record(KEYS[5], now, userMax, windowMs, ARGV[5], slack)
end
if limited then
  record(KEYS[4], now, rateMax, windowMs, ARGV[5], slack)
else
  redis.call('DEL', KEYS[4])
end
redis.call('SET', KEYS[3], now, 'PX', math.max(slowMs, limited and windowMs or 0) + slack)
local restricted = redis.call('HEXISTS', KEYS[2], 'restricted')
if ARGV[8] ~= '1' then return {'ok', restricted, -1, -1} end
local line = check_line(KEYS[lineKeys], KEYS[lineKeys + 1], now, ARGV, 9)
if line[1] ~= 'ok' then return line end
return {'ok', restricted, line[2], line[3]}
`;

// The user's window over all streams on its own, for Redis Cluster, where the
// key's hash slot is not the stream's, so it cannot join the script above.
// KEYS[1] the window; ARGV now, userRateMax, rateWindowMs, member, slack.
// Replies as CHECK_SEND.
const USER_SOURCE = WINDOW + `
local now = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local wait = refusal(KEYS[1], now, max, windowMs)
if wait then return {'rate_limited', wait} end
record(KEYS[1], now, max, windowMs, ARGV[4], tonumber(ARGV[5]))
return {'ok'}
`;

export const CHECK_SEND = new LuaScript(SOURCE);
export const CHECK_USER_RATE = new LuaScript(USER_SOURCE);

/** The script's arguments; `withUserWindow` when the user's window over all streams is among its keys. */
export function checkSendArgs(check: SendCheck, member: string, slackMs: number, withUserWindow: boolean): string[] {
  const args = [String(check.now), String(check.slowSeconds * 1000), String(check.rateMax), String(check.rateWindowMs), member, String(slackMs)];
  args.push(withUserWindow ? String(check.userRateMax) : '0', check.line === undefined ? '0' : '1');
  if (check.line !== undefined) args.push(...lineRuleArgs(check.line));
  return args;
}

export function userRateArgs(check: SendCheck, member: string, slackMs: number): string[] {
  return [String(check.now), String(check.userRateMax), String(check.rateWindowMs), member, String(slackMs)];
}

export function toSendVerdict(reply: unknown): SendVerdict {
  const [code, a, b, c] = reply as [string, number | undefined, number | string | undefined, number | undefined];
  switch (code) {
    case 'ok': {
      // The user-rate script's {'ok'} says nothing of the standing or the line: the stream's script does.
      if (a === undefined) return { ok: true };
      const verdict: SendVerdict = Number(b) < 0 ? { ok: true } : { ok: true, first: Number(b) === 1, returning: Number(c) === 1 };
      if (Number(a) === 1) verdict.restricted = true;
      return verdict;
    }
    case 'warned':
      return { ok: false, code, reason: String(b) };
    case 'banned':
    case 'r9k':
      return { ok: false, code };
    case 'timed_out':
    case 'slow_mode':
    case 'rate_limited':
    case 'duplicate':
    case 'followers_only':
      return { ok: false, code, retryAfterMs: Number(a) };
    default:
      throw new Error(`unexpected send-check reply ${JSON.stringify(reply)}`);
  }
}
