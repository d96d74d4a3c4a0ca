// Every setting of Chorus, in one table: its type, default, bounds and the
// sentence the README shows. Flags (--kebab-case), CHORUS_* environment
// variables and the optional JSON file all resolve through this table, so a
// setting cannot exist in one place and be missing from another.

interface Base<T> {
  doc: string;
  default: T;
  /** Extra environment names read before CHORUS_*, e.g. PORT. */
  aliases?: readonly string[];
}
export interface IntSetting extends Base<number> {
  type: 'int';
  min: number;
  max: number;
}
export interface BoolSetting extends Base<boolean> {
  type: 'bool';
}
export interface StringSetting extends Base<string> {
  type: 'string';
  /** Shown instead of the value in logs. */
  secret?: boolean;
}
export interface ListSetting extends Base<readonly string[]> {
  type: 'list';
}
export type Setting = IntSetting | BoolSetting | StringSetting | ListSetting;

const int = (doc: string, def: number, min: number, max: number, aliases?: readonly string[]): IntSetting => ({
  type: 'int', doc, default: def, min, max, aliases,
});
const bool = (doc: string, def: boolean): BoolSetting => ({ type: 'bool', doc, default: def });
const str = (doc: string, def: string, secret = false): StringSetting => ({ type: 'string', doc, default: def, secret });
const list = (doc: string, def: readonly string[] = []): ListSetting => ({ type: 'list', doc, default: def });

const KIB = 1024;
const MIB = 1024 * KIB;
const DAY_MS = 86_400_000;

export const SETTINGS = {
  // Listening and data
  port: int('TCP port of HTTP and WebSocket (v1 at /ws, Twitch-compatible IRC at /).', 8080, 0, 65535, ['PORT']),
  ircPort: int('TCP port of plain Twitch-compatible IRC; 0 picks a free port, -1 switches it off.', 6667, -1, 65535),
  ircTlsPort: int('TCP port of Twitch-compatible IRC over TLS, on when ircTlsCert and ircTlsKey are set; 0 picks a free port.', 6697, 0, 65535),
  ircTlsCert: str('PEM file of the IRC over TLS certificate (its chain after it).', ''),
  ircTlsKey: str('PEM file of the IRC over TLS private key.', ''),
  host: str('Address to listen on; empty: 127.0.0.1 in development mode, 0.0.0.0 (every interface) in production.', ''),
  adminPort: int('TCP port of a second HTTP listener where the operator endpoints (/metrics, /ops, /api/ops/series, /docs, analytics) need no token; -1: none. Keep it off the public network.', -1, -1, 65535),
  adminToken: str('Bearer token (at least 32 bytes) that opens the operator endpoints on the main port. With neither this nor adminPort, production serves them to nobody (404); development mode to everyone.', '', true),
  dataDir: str('Directory of the embedded durable log (SQLite).', './data'),
  dev: bool('Development mode: issues tokens at POST /api/dev/token to anyone. Never in production.', false),
  logLevel: str('pino log level: fatal, error, warn, info, debug, trace, silent.', 'info'),

  // Identity
  jwtSecret: str('HS256 secret that verifies tokens (and signs development tokens).', '', true),
  jwksUrl: str('JWKS URL (https) whose RS256/ES256 keys verify tokens.', ''),
  jwksAllowHttp: bool('Accept a plain http jwksUrl (a key server on this machine or a trusted network); otherwise start-up refuses it.', false),
  jwtIssuer: str('Required `iss` of tokens, if set.', ''),
  jwtAudience: str('Required `aud` of tokens, if set.', ''),
  jwtAllowNoExp: bool('Production mode: accept tokens without `exp` (they never expire); by default they are refused.', false),

  // Cluster mode (see docs/operations.md)
  redisUrl: str('Redis URL; with kafkaBrokers switches on cluster mode.', ''),
  kafkaBrokers: list('Kafka bootstrap brokers, host:port; with redisUrl switches on cluster mode.'),
  kafkaTopic: str('Kafka topic of the durable log, keyed and partitioned by stream.', 'chorus.messages'),
  kafkaPartitions: int('Partitions of the log topic when Chorus creates it.', 12, 1, 10_000),
  kafkaReplicas: int('Replication factor of the log topic when Chorus creates it (3 in production; min.insync.replicas is one less).', 1, 1, 100),
  kafkaAppendTimeoutMs: int('Longest a send waits for Kafka to acknowledge it before it is refused with `unavailable`.', 5_000, 100, 120_000),
  kafkaIndexMaxMessages: int('Messages the in-memory index of the Kafka log holds over all streams (about 200 bytes each).', 1_000_000, 10_000, 100_000_000),
  redisKeyPrefix: str('Prefix of every Redis key and channel Chorus uses, so deployments can share a Redis.', 'chorus:'),
  redisCluster: bool('redisUrl is one node of a Redis Cluster: discover the others and route each stream\'s keys to its slot.', false),
  redisShardedPubsub: bool('Live bus on sharded pub/sub (SSUBSCRIBE/SPUBLISH, Redis 7): each stream\'s channel on one shard.', false),
  redisCommandTimeoutMs: int('A Redis command not answered within this long fails (sends get `unavailable`).', 1_000, 50, 60_000),
  workers: int('Gateway processes on this machine, sharing its ports (more than 1 needs cluster mode).', 1, 1, 64),
  viewerRegion: str('Region name in the viewer-count keys; regions sharing a Redis are merged with PFMERGE.', 'default'),

  // Regions (docs/regions.md): one cluster per region, chat crossing regions through MirrorMaker 2
  region: str('This gateway\'s region (lower-case letters, digits, hyphens): switches on multi-region mode, where every message carries it as `origin`. Empty: one region, as before. Needs cluster mode.', ''),
  regionPeers: list('The regions whose logs MirrorMaker 2 replicates into this region\'s Kafka (as `<peer>.<kafkaTopic>`); their lines enter this region\'s order.'),
  regionHeartbeatMs: int('Interval of the watermark heartbeats (one record per log partition) this region sends while a stream here is in global order, so peers holding lines for global order need not wait for its next line.', 50, 10, 10_000),
  regionHoldMaxMs: int('Global order: the longest a line is held waiting for a silent region\'s watermark; past it that region is left out of the wait (the stream reports degraded) until its watermark moves again.', 1_000, 50, 60_000),
  regionHoldMaxLines: int('Global order: lines held per stream at most; one more releases the oldest held line at once (the stream reports degraded while it does).', 10_000, 100, 1_000_000),

  // Protocol limits
  maxFrameBytes: int('Largest inbound WebSocket frame; larger closes with 1009.', 8 * KIB, 512, MIB),
  maxTextLength: int('Longest chat message, in code points.', 500, 1, 10_000),
  historyDefault: int('Messages sent on join without `history`.', 100, 0, 500),
  historyMax: int('Most messages a join may ask for with `history`.', 500, 1, 5_000),
  resumeMax: int('Most messages a join with `since` (or SSE Last-Event-ID) replays.', 2_000, 1, 100_000),
  replayMax: int('Most messages one HTTP history or replay request returns.', 1_000, 1, 100_000),
  maxStreamsPerConnection: int('Streams one connection may watch at once.', 20, 1, 1_000),
  pollingIntervalMs: int('pollingIntervalMillis told to HTTP polling clients.', 2_000, 100, 60_000),

  // Connections (docs/operations.md, "Connections and client addresses")
  maxConnections: int('Connections (WebSocket, IRC, SSE) this process accepts; more get 503, IRC an ERROR (keep below the open-files limit).', 15_000, 1, 10_000_000),
  maxConnectionsPerIp: int('Connections (WebSocket, IRC, SSE) one client address may hold on this process; more get 429, IRC an ERROR.', 200, 1, 10_000_000),
  maxConnectionsPerUser: int('WebSocket and IRC connections one signed-in user may hold on this process; a further `auth` is refused with `forbidden`, an IRC login with a NOTICE and a close.', 20, 1, 10_000_000),
  anonymousIdleMs: int('A WebSocket connection that is neither signed in nor watching a stream this long (IRC: not registered, or anonymous in no room) is closed: 4002, IRC an ERROR.', 30_000, 1_000, DAY_MS),
  allowedOrigins: list('Origins (https://chat.example) whose pages may open WebSocket connections; others get 403. Empty allows every origin; upgrades without an Origin header (not a browser) are always let through.'),
  imageOrigins: list("Origins (https://cdn.7tv.app) the chat page may load emote and badge images from; its Content-Security-Policy img-src names them. Each https (http only on a loopback host), no path. Empty: no images, emotes stay text."),
  trustedProxies: list('Addresses or CIDR ranges (10.0.0.0/8) of reverse proxies whose X-Forwarded-For names the client, for per-address limits. Empty: the peer address is the client.'),
  httpRequestTimeoutMs: int('Longest an HTTP request (headers and body) may take to arrive; a slower one gets 408 and its socket is closed.', 30_000, 1_000, 600_000),

  // Abuse
  abuseStrikes: int('Refused or invalid frames a connection may have at once, and per abuseWindowMs sustained (a token bucket), before it is closed with 1008.', 30, 1, 10_000),
  abuseWindowMs: int('Window of abuseStrikes: the bucket refills abuseStrikes tokens over this long.', 10_000, 100, 3_600_000),
  inboundFramesPerSecond: int('Frames a connection may send per second (burst of twice that).', 20, 1, 10_000),

  // Rate limits (Twitch's defaults)
  rateLimitMessages: int('Messages a user may send per window in one stream.', 20, 1, 100_000),
  rateLimitPrivilegedMessages: int('The same for moderators and the broadcaster.', 100, 1, 100_000),
  rateLimitUserMessages: int('Messages a user may send per window over all streams together, whatever their roles.', 200, 1, 1_000_000),
  rateLimitWindowMs: int('Sliding window of the per-user rate limit.', 30_000, 1_000, DAY_MS),

  // Rate limits on reads without a token and on moderator writes (docs/operations.md)
  anonymousReadRate: int('History reads (GET /api/streams/:s/messages) one client address may make per second without a token (a token bucket, burst of twice that); more get 429 `rate_limited`.', 10, 1, 100_000),
  anonymousReadMax: int('Most messages one history read without a token returns (signed-in reads: replayMax).', 100, 1, 100_000),
  moderatorActionLimit: int('Moderator writes (ban, timeout, unban, delete, modes, rules, approve, deny, role grants, warn, restrict, clear) one user may make per moderatorActionWindowMs on one gateway, over WebSocket, HTTP and IRC together (a token bucket); more are refused with `rate_limited`.', 100, 1, 100_000),
  moderatorActionWindowMs: int('Window of moderatorActionLimit.', 30_000, 1_000, DAY_MS),
  rateLimitMaxClients: int('Client addresses (reads without a token) and users (moderator writes) each of those two limits remembers; beyond, the least recently seen is forgotten and starts afresh.', 100_000, 100, 10_000_000),

  // Delivery
  heartbeatMs: int('Interval of WebSocket pings; a connection that misses one is dropped.', 30_000, 1_000, 600_000),
  wsDeflate: bool('Offer permessage-deflate on /ws (not IRC over WebSocket): each flush is deflated once and the same compressed bytes go to every socket that accepted it; messages a client sends compressed are inflated (a zlib stream per such socket).', false),
  socketSoftLimitBytes: int('Unsent bytes above which a viewer counts as slow.', MIB, 16 * KIB, 512 * MIB),
  socketHardLimitBytes: int('Unsent bytes at which a viewer is disconnected at once (4008).', 4 * MIB, 16 * KIB, 1024 * MIB),
  slowConsumerGraceMs: int('How long a viewer may stay slow before it is disconnected (4008).', 10_000, 0, 600_000),
  maxFlushMs: int('Latency budget of coalescing: the longest a big stream holds live messages before writing a batch (its window follows what its flushes cost, up to this).', 500, 0, 5_000),
  stateIntervalMs: int('Least time between two `state` frames of one stream.', 1_000, 100, 60_000),

  // Sampling and shedding
  samplingThreshold: int('Messages per second of one stream above which only a subset is broadcast.', 120, 1, 1_000_000),
  fanoutBudgetMs: int('Longest a line may wait on a gateway before it is on every viewer\'s socket; a stream whose fan-out here takes longer has its sampling threshold lowered on this gateway until it keeps up.', 1_000, 1, 60_000),
  maxInFlight: int('Sends being processed at once in this process; more are refused with `overloaded`.', 5_000, 1, 1_000_000),
  maxLoopLagMs: int('Event-loop delay (the longest of the last half second) above which sends are refused with `overloaded` before any work: a gateway that far behind would answer them late or time out on its backing services.', 2_000, 1, 60_000),
  hotStreamMultiple: int('A stream whose rate is above this many times `samplingThreshold` is hot: while the gateway is short of CPU (a fan-out over `fanoutBudgetMs` or the loop later than `hotStreamLoopLagMs`) its ordinary sends are refused with `overloaded` before any stamping; 0 turns this off.', 4, 0, 1_000),
  hotStreamLoopLagMs: int('Event-loop delay above which a gateway counts as short of CPU for hot-stream admission.', 200, 1, 60_000),
  sendLatencyTargetMs: int('When most sends checked in an interval (`sendLatencyIntervalMs`, ten sends at least) took longer than this from arrival to their send check, sends queue: a growing share of ordinary sends (up to 90 %) is refused with `overloaded` before any work until sends are quick again; the privileged are let in. 0 (the default: in six alternating explosion runs each way it did not lower `unavailable`, BENCHMARKS.md) turns this off.', 0, 0, 60_000),
  sendLatencyIntervalMs: int('How long sends are watched before the share refused for `sendLatencyTargetMs` changes.', 500, 50, 60_000),
  maxStreamRate: int('Messages per second one stream accepts at most; more are refused with `overloaded`.', 5_000, 1, 1_000_000),

  // Retention
  retentionMs: int('How long the log keeps messages (retention.ms of the Kafka topic when Chorus creates it).', 3 * 3_600_000, 60_000, 365 * DAY_MS),
  retentionMessagesPerStream: int('Most messages the log keeps (Kafka: indexes) per stream.', 100_000, 100, 100_000_000),
  modlogRetentionMs: int('How long the audit log of moderator actions keeps an entry (retention.ms of its Kafka topic when Chorus creates it).', 30 * DAY_MS, 60_000, 365 * DAY_MS),
  modlogMaxPerStream: int('Most audit log entries kept per stream; a new one beyond drops the oldest.', 10_000, 100, 1_000_000),
  modlogMemoryMax: int('Cluster mode: audit log entries each gateway keeps in memory over all streams (about 300 bytes each); beyond, the stream written longest ago is forgotten until a restart reads the topic again.', 200_000, 1_000, 10_000_000),

  // Moderation (server-wide, on top of each stream's rules)
  blockedTerms: list('Terms refused in every stream (robust to look-alikes, leetspeak, spacing).'),
  heldTerms: list('Terms that hold a message for moderator review in every stream.'),
  blockLinks: bool('Refuse links in every stream (moderators and the broadcaster are exempt).', false),
  blockPhones: bool('Refuse phone numbers in every stream.', false),
  blockEmails: bool('Refuse e-mail addresses in every stream.', false),
  uniqueChatMaxLines: int('Texts one stream remembers for unique chat (r9k) at most, within its window; the oldest go first.', 20_000, 100, 1_000_000),
  duplicateWindowMs: int('A user other than the broadcaster and moderators may not send their own last line again within this long (`duplicate`); 0: off.', 30_000, 0, 3_600_000),
  returningChatterAfterMs: int('A user\'s line after at least this long without one in the stream is marked as a returning chatter\'s.', 7 * DAY_MS, 60_000, 365 * DAY_MS),
  chatterRetentionMs: int('How long a stream remembers a user after their last line or visit (first-time and returning chatters, the account-age gate).', 30 * DAY_MS, 60_000, 365 * DAY_MS),
  chattersPerStream: int('Users the embedded store remembers per stream at most; one more displaces the one seen longest ago (Redis keeps each for chatterRetentionMs instead).', 100_000, 100, 10_000_000),
  heldMessageTtlMs: int('How long a held message waits for a moderator before it expires (its author is told).', 30 * 60_000, 1_000, DAY_MS),
  clearWindowMs: int('A ban or timeout also retracts the target\'s lines sent within this long before it (from history, resume and replay); older lines stay.', 600_000, 0, DAY_MS),
  clearMaxLines: int('The most of the target\'s lines (the newest) one ban or timeout retracts.', 500, 0, 100_000),
  tokenRolesMaxPerStream: int('Users per stream whose token\'s broadcaster or moderator role is remembered (recorded when they join or act there, kept for retentionMs, so other moderators cannot ban them before they chat); one more displaces the one recorded longest ago.', 1_000, 1, 100_000),
  globalEmotes: list('Emote names usable in every stream; empty means the built-in set.'),

  // Consumers of the log, after delivery (see docs/operations.md)
  classifierUrl: str('Classifier webhook: each accepted message is POSTed there as JSON; an answer {"flag":true} retracts it. Empty: none.', ''),
  classifierTerms: list('Terms whose messages are retracted after delivery (matched like blockedTerms; the message shows, then vanishes).'),
  classifierTimeoutMs: int('Longest one classifier check may take; then it counts as an error and the message stays.', 2_000, 10, 60_000),
  classifierConcurrency: int('Classifier checks running at once.', 16, 1, 1_000),
  reportRateLimit: int('Reports one user may file per reportRateWindowMs, across streams.', 5, 1, 10_000),
  reportRateWindowMs: int('Window of reportRateLimit.', 60_000, 1_000, DAY_MS),
  reportQueueMaxPerStream: int('Pending reports kept per stream; a new one beyond drops the oldest.', 1_000, 10, 1_000_000),
  reportQueueMax: int('Pending reports kept in all; beyond, reports are refused with `overloaded`.', 100_000, 100, 100_000_000),

  // Shutdown
  drainMs: int('On SIGTERM, the longest wait for in-flight sends before exit.', 10_000, 0, 600_000),
  reconnectAfterMs: int('`afterMs` of the `reconnect` frame sent on SIGTERM.', 1_000, 0, 600_000),
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<S> = S extends BoolSetting ? boolean : S extends IntSetting ? number : S extends ListSetting ? readonly string[] : string;

export type Config = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

export function envNameOf(name: string): string {
  return 'CHORUS_' + name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

export function flagNameOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
