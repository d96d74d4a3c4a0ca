import { randomUUID } from 'node:crypto';
import { RESP_TYPES } from '@redis/client';
import { closeRedis, connectRedis, onReconnected, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';
import type { ViewerCounter } from './viewer-count.ts';

/** `onError` also gets failed PFADDs (join and heartbeat do not wait for Redis). */
export interface HllViewerCounterOptions extends RedisSeamOptions {
  /** This deployment's region; regions sharing one Redis count apart and merge with mergeRegionCounts. */
  region: string;
  /** Length of one window; a viewer counts while seen in the current or the previous one. Default one minute. */
  windowMs?: number;
  /** The clock, for tests of rotation; default Date.now. */
  now?: () => number;
}

const DEFAULT_WINDOW_MS = 60_000;
// Ids per PFADD: one command stays small even for a stream with 100,000 viewers here.
const MAX_IDS_PER_PFADD = 1_000;

/**
 * Viewer counts as Redis HyperLogLogs: about 12 KB per stream and window
 * however many watch, with a standard error of 0.81 %. Every gateway adds the
 * ids of its viewers to the stream's key of the current window on join and on
 * each heartbeat; the count is the union of the current and the previous
 * window, so a viewer stops counting one to two windows after their last
 * heartbeat. A HyperLogLog cannot forget, so `leave` does nothing: leavers
 * age out with the window. Keys expire after two windows.
 *
 * Joins are gathered and sent once per event-loop turn per stream; a count
 * sends what is gathered first, so it sees every join made before it.
 */
export class HllViewerCounter implements ViewerCounter {
  readonly #client: RedisClient;
  readonly #o: Required<HllViewerCounterOptions>;
  readonly #pending = new Map<string, string[]>();
  #flushScheduled = false;
  /** Keys whose expiry this instance has set, for the current window only. */
  readonly #expiring = new Set<string>();
  #expiringWindow = -1;

  static async connect(options: HllViewerCounterOptions): Promise<HllViewerCounter> {
    const client = await connectRedis({ url: options.url, cluster: options.cluster, name: 'chorus-viewers', commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    return new HllViewerCounter(client, options);
  }

  private constructor(client: RedisClient, options: HllViewerCounterOptions) {
    this.#client = client;
    this.#o = { windowMs: DEFAULT_WINDOW_MS, now: Date.now, ...options };
    // A restarted Redis may have lost the keys; their expiry must be set again.
    onReconnected(client, () => this.#expiring.clear());
  }

  join(stream: string, viewerId: string): void {
    let ids = this.#pending.get(stream);
    if (ids === undefined) this.#pending.set(stream, (ids = []));
    ids.push(viewerId);
    if (ids.length >= MAX_IDS_PER_PFADD) this.#add(stream, this.#take(stream));
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  leave(): void {}

  heartbeat(stream: string, viewerIds: Iterable<string>): void {
    let batch: string[] = [];
    for (const id of viewerIds) {
      batch.push(id);
      if (batch.length === MAX_IDS_PER_PFADD) {
        this.#add(stream, batch);
        batch = [];
      }
    }
    if (batch.length > 0) this.#add(stream, batch);
  }

  async count(stream: string): Promise<number> {
    this.#flush();
    const window = this.#window();
    const keys = [viewerKey(this.#o.keyPrefix, stream, this.#o.region, window), viewerKey(this.#o.keyPrefix, stream, this.#o.region, window - 1)];
    return withDeadline(this.#client.pfCount(keys), this.#o.commandTimeoutMs);
  }

  /**
   * Distinct viewers of a stream across regions that share this Redis: each
   * region's current and previous windows merged (PFMERGE) into one key,
   * kept for a window so dashboards can read it, and counted, atomically.
   */
  async countAcrossRegions(stream: string, regions: readonly string[]): Promise<number> {
    this.#flush();
    const window = this.#window();
    const merged = `${this.#o.keyPrefix}viewers-merged:{${stream}}:${window}`;
    const sources = regions.flatMap((region) => [viewerKey(this.#o.keyPrefix, stream, region, window), viewerKey(this.#o.keyPrefix, stream, region, window - 1)]);
    // Merged afresh, so a viewer who aged out of every region is not kept by an earlier merge.
    const replies = await withDeadline(this.#client.multi().del(merged).pfMerge(merged, sources).pExpire(merged, this.#o.windowMs).pfCount(merged).exec(), this.#o.commandTimeoutMs);
    return Number(replies.at(-1));
  }

  /** This region's viewers of the stream as one raw register (current and previous windows merged), for the peers; undefined if none. */
  async register(stream: string): Promise<Buffer | undefined> {
    this.#flush();
    const window = this.#window();
    // A key of this call's own: the merge and the binary read cannot share one MULTI (its replies ignore the type mapping).
    const merged = `${this.#o.keyPrefix}viewers-export:{${stream}}:${this.#o.region}:${randomUUID()}`;
    const sources = [viewerKey(this.#o.keyPrefix, stream, this.#o.region, window), viewerKey(this.#o.keyPrefix, stream, this.#o.region, window - 1)];
    const replies = await withDeadline(this.#client.multi().pfMerge(merged, sources).pExpire(merged, this.#o.commandTimeoutMs * 2).pfCount(merged).exec(), this.#o.commandTimeoutMs);
    try {
      if (Number(replies[2]) === 0) return undefined;
      const raw: unknown = await withDeadline(this.#client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(merged), this.#o.commandTimeoutMs);
      return Buffer.isBuffer(raw) && raw.length > 0 ? raw : undefined;
    } finally {
      await this.#client.del(merged).catch(this.#o.onError);
    }
  }

  /** Keeps a peer region's register for `keepMs` (then it no longer counts); one that is no HyperLogLog is dropped. */
  async storePeer(stream: string, region: string, register: Buffer, keepMs: number): Promise<void> {
    const key = peerKey(this.#o.keyPrefix, stream, region);
    const arriving = `${key}:arriving`;
    await withDeadline(this.#client.set(arriving, register, { expiration: { type: 'PX', value: keepMs } }), this.#o.commandTimeoutMs);
    // PFCOUNT checks the register's header and encoding before it replaces the last one: a corrupt one would fail every count that merges it.
    await withDeadline(this.#client.pfCount(arriving), this.#o.commandTimeoutMs).catch(async (err: unknown) => {
      await this.#client.del(arriving);
      throw err;
    });
    await withDeadline(this.#client.rename(arriving, key), this.#o.commandTimeoutMs);
  }

  /** This region's count, each peer's from its last register, and the count over all of them merged (PFMERGE). */
  async countWithPeers(stream: string, peers: readonly string[]): Promise<{ viewers: number; byRegion: Record<string, number> }> {
    const here = await this.count(stream);
    const window = this.#window();
    const merged = `${this.#o.keyPrefix}viewers-global:{${stream}}:${this.#o.region}`;
    const peerKeys = peers.map((peer) => peerKey(this.#o.keyPrefix, stream, peer));
    const sources = [viewerKey(this.#o.keyPrefix, stream, this.#o.region, window), viewerKey(this.#o.keyPrefix, stream, this.#o.region, window - 1), ...peerKeys];
    const tx = this.#client.multi().del(merged).pfMerge(merged, sources).pfCount(merged).del(merged);
    for (const key of peerKeys) tx.pfCount(key);
    const replies = (await withDeadline(tx.exec(), this.#o.commandTimeoutMs)).map(Number);
    const byRegion: Record<string, number> = { [this.#o.region]: here };
    peers.forEach((peer, i) => (byRegion[peer] = replies[4 + i]!));
    return { viewers: replies[2]!, byRegion };
  }

  async close(): Promise<void> {
    this.#flush();
    await closeRedis(this.#client);
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const stream of [...this.#pending.keys()]) this.#add(stream, this.#take(stream));
  }

  #take(stream: string): string[] {
    const ids = this.#pending.get(stream) ?? [];
    this.#pending.delete(stream);
    return ids;
  }

  /** Sends one PFADD now, without waiting: commands on one connection run in order, so a later count sees it. */
  #add(stream: string, ids: string[]): void {
    if (ids.length === 0 || !this.#client.isOpen) return;
    const window = this.#window();
    const key = viewerKey(this.#o.keyPrefix, stream, this.#o.region, window);
    this.#client.pfAdd(key, ids).catch(this.#o.onError);
    if (this.#expiringWindow !== window) {
      this.#expiring.clear();
      this.#expiringWindow = window;
    }
    if (this.#expiring.has(key)) return;
    this.#expiring.add(key);
    // Counted while current and while previous, then gone.
    this.#client.pExpire(key, 2 * this.#o.windowMs).catch(this.#o.onError);
  }

  #window(): number {
    return Math.floor(this.#o.now() / this.#o.windowMs);
  }
}

/** The last register a peer region sent of a stream's viewers (src/regions/viewer-exchange.ts). */
function peerKey(keyPrefix: string, stream: string, region: string): string {
  return `${keyPrefix}viewers-peer:{${stream}}:${region}`;
}

/** The HyperLogLog of a stream's viewers in one region and window; the stream is the hash tag, so every region's keys share a Redis Cluster slot. */
export function viewerKey(keyPrefix: string, stream: string, region: string, window: number): string {
  return `${keyPrefix}viewers:{${stream}}:${region}:${window}`;
}
