import { createClient, createCluster, type RedisClientType, type RedisClusterType } from '@redis/client';

/** One Redis server's connection, or a Redis Cluster client that routes each command to its slot's node. */
export type RedisClient = RedisClientType | RedisClusterType;

export interface RedisConnectOptions {
  url: string;
  /** Shown in CLIENT LIST, so an operator can tell Chorus's connections apart. */
  name: string;
  /** A command not answered within this long rejects (a hung or partitioned Redis). */
  commandTimeoutMs: number;
  /** Connection errors; the client reconnects by itself, so these are for the log. */
  onError: (err: unknown) => void;
  /** `url` is one node of a Redis Cluster: discover the others and route by slot. */
  cluster: boolean;
}

/** What every Redis-backed seam is given. */
export interface RedisSeamOptions {
  url: string;
  /** `url` is one node of a Redis Cluster (every key of a stream shares one slot, so scripts and MULTI stay on one node). */
  cluster: boolean;
  /** Prepended to every key and channel, so deployments (or test runs) sharing a Redis do not collide. */
  keyPrefix: string;
  /** A command not answered within this long rejects; while Redis is down commands reject at once. */
  commandTimeoutMs: number;
  /** Connection errors (the client reconnects by itself). */
  onError: (err: unknown) => void;
}

// Reconnect quickly, so a restarted Redis is back in use within about a second.
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
// Commands waiting for replies on one connection; more are refused at once.
const MAX_QUEUED_COMMANDS = 100_000;
const CLOSE_TIMEOUT_MS = 2_000;
// The client writes queued commands until the socket's buffer passes its
// high-water mark, then waits for 'drain' and writes the rest on a later turn
// of the event loop. At Node's 16 KiB default that is a few dozen send checks
// a turn (test/integration/redis-write-turns.test.ts): a gateway whose turns
// take hundreds of milliseconds (a big fan-out on a busy machine) then sends
// Redis a few hundred commands a second, and sends time out as `unavailable`
// with Redis idle. With 8 MiB, thousands of commands go out in one turn; the
// commands are held in the client's queue either way (MAX_QUEUED_COMMANDS
// bounds it), so this adds no memory of its own.
const WRITE_HIGH_WATER_MARK = 8 * 1024 * 1024;

/**
 * Connects one Redis connection that fails fast: while Redis is down,
 * commands reject at once instead of waiting in an offline queue, so callers
 * can answer `unavailable`; commands waiting to be written give up after
 * `commandTimeoutMs` (wrap calls in withDeadline to bound the wait for the
 * reply as well). The client reconnects by itself and, for a
 * subscriber, subscribes again to every channel before it is ready.
 * Rejects if Redis cannot be reached now, with the URL in the message.
 */
export async function connectRedis(options: RedisConnectOptions): Promise<RedisClient> {
  let connected = false;
  const connection = {
    name: options.name,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    // Twice the deadline: withDeadline, which lets a reply already read win, decides first.
    commandOptions: { timeout: options.commandTimeoutMs * 2 },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      writableHighWaterMark: WRITE_HIGH_WATER_MARK,
      // Before the first connection, give up (connect() rejects); after it, retry forever with capped backoff.
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(RECONNECT_MIN_MS * 2 ** retries, RECONNECT_MAX_MS) : cause),
    },
  };
  const client: RedisClient = options.cluster
    // The nodes a cluster client discovers get `defaults` only, so the URL's credentials go there too.
    ? createCluster({ rootNodes: [{ url: options.url }], defaults: { ...connection, ...credentialsOf(options.url) } })
    : createClient({ url: options.url, ...connection });
  client.on('error', (err: unknown) => {
    if (connected) options.onError(err);
  });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
  }
  connected = true;
  return client;
}

/**
 * Rejects if `command` has not settled within `ms`. The client's own timeout
 * stops once a command is written to the socket, so without this a Redis
 * that hangs with its connection open (stopped, partitioned) would hold the
 * command, and the send waiting on it, forever. When the deadline passes the
 * verdict waits one turn of the event loop: after a long turn (a big fan-out
 * on a busy machine) timers run before sockets are read, and a reply that
 * arrived in time must win over the timer.
 */
export function withDeadline<T>(command: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let verdict: NodeJS.Immediate | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      verdict = setImmediate(() => reject(new Error(`Redis did not answer within ${ms} ms`)));
    }, ms);
  });
  return Promise.race([command, expired]).finally(() => {
    clearTimeout(timer);
    clearImmediate(verdict);
  });
}

/**
 * Closes a client: gracefully while connected (replies still due are
 * awaited, for at most CLOSE_TIMEOUT_MS, in case Redis hangs), at once while
 * it is down (nothing could be flushed).
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy();
    return;
  }
  await withDeadline(client.close(), CLOSE_TIMEOUT_MS).catch(() => client.destroy());
}

/**
 * Calls `onBack` each time a connection that was lost is ready again (for a
 * cluster, any node's): by then a subscriber has subscribed again to every
 * channel, and a restarted Redis may have lost what it held.
 */
export function onReconnected(client: RedisClient, onBack: () => void): void {
  let lost = false;
  const cluster = 'getMasters' in client;
  client.on(cluster ? 'node-reconnecting' : 'reconnecting', () => (lost = true));
  client.on(cluster ? 'node-ready' : 'ready', () => {
    if (!lost) return;
    lost = false;
    onBack();
  });
}

function credentialsOf(url: string): { username?: string; password?: string } {
  const parsed = new URL(url);
  const credentials: { username?: string; password?: string } = {};
  if (parsed.username !== '') credentials.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') credentials.password = decodeURIComponent(parsed.password);
  return credentials;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable Redis URL)';
  }
}
