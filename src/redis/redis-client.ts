import { createClient, type RedisClientType } from '@redis/client';

export type RedisClient = RedisClientType;

export interface RedisConnectOptions {
  url: string;
  /** Shown in CLIENT LIST, so an operator can tell Chorus's connections apart. */
  name: string;
  /** A command not answered within this long rejects (a hung or partitioned Redis). */
  commandTimeoutMs: number;
  /** Connection errors; the client reconnects by itself, so these are for the log. */
  onError: (err: unknown) => void;
}

// Reconnect quickly, so a restarted Redis is back in use within about a second.
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
// Commands waiting for replies on one connection; more are refused at once.
const MAX_QUEUED_COMMANDS = 100_000;
const CLOSE_TIMEOUT_MS = 2_000;

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
  const client: RedisClient = createClient({
    url: options.url,
    name: options.name,
    disableOfflineQueue: true,
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    commandOptions: { timeout: options.commandTimeoutMs },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first connection, give up (connect() rejects); after it, retry forever with capped backoff.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(RECONNECT_MIN_MS * 2 ** retries, RECONNECT_MAX_MS) : cause),
    },
  });
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
 * command, and the send waiting on it, forever.
 */
export function withDeadline<T>(command: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([command, expired]).finally(() => clearTimeout(timer));
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
