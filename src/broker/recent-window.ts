import { decodeBusEvent, splitAroundSeq } from '../bus/bus-event-codec.ts';
import type { Message } from '../protocol/types.ts';
import { LuaScript } from '../redis/lua-script.ts';
import { closeRedis, connectRedis, withDeadline, type RedisClient, type RedisSeamOptions } from '../redis/redis-client.ts';
import { busChannel, streamKey } from '../redis/stream-keys.ts';
import { TurnGroups } from './turn-groups.ts';

export interface RecentWindowOptions extends RedisSeamOptions {
  /** Publish with SPUBLISH (sharded pub/sub), as the bus subscribes. */
  sharded: boolean;
  /** Displayable messages kept per stream; older ones are read from the log (default RECENT_WINDOW.capacity). */
  capacity?: number;
  /** A stream's window is dropped after this long without a message (default RECENT_WINDOW.idleMs). */
  idleMs?: number;
}

/**
 * The window must hold more displayable messages than arrive during one
 * Kafka append: with sampling keeping a big stream near 120 displayable
 * messages a second, a thousand span several seconds, far more than an
 * append takes. Every read returns the whole window, so it is no bigger.
 * Fixed, not a setting: docs/decisions.md, "The recent window's size is fixed".
 */
export const RECENT_WINDOW = { capacity: 1_000, idleMs: 15 * 60_000 };

// The most messages one stamp script takes: its run blocks Redis, so a group
// stays well under a millisecond there (each message is a few list and pub/sub
// commands). A burst's turn with more sends makes several groups.
const MAX_STAMP_GROUP = 64;

/** A message on its way to its stamp: kept and published, or (sampled) only stamped; once per id when `onceMs` is set. */
interface Stampable {
  message: Omit<Message, 'seq'>;
  keep: boolean;
  /** Where a stream with no counter starts (ClusterBroker reads it from the log); undefined: not known yet. */
  floor: number | undefined;
  /** Stamp it only if its id was not stamped within this long (a line from another region, src/regions/). */
  onceMs?: number;
}

const seqOf = (seq: unknown): number | 'duplicate' => (Number(seq) === -1 ? 'duplicate' : Number(seq));

/**
 * A stamp Redis did not answer in time. The script was sent and may still
 * run (a slow Redis, or a reply read late by a busy gateway): then its lines
 * are shown and hold seqs though their senders were refused. `lateSeq` says,
 * once Redis answers, what a line was given (undefined if it never ran), so
 * the broker can take back a line nobody will store.
 */
export class StampTimedOut extends Error {
  readonly #ids: readonly string[];
  readonly #late: Promise<Array<number | null | 'duplicate'> | undefined>;

  constructor(cause: Error, ids: readonly string[], script: Promise<Array<number | null | 'duplicate'>>) {
    super(cause.message, { cause });
    this.#ids = ids;
    this.#late = script.catch(() => undefined);
  }

  async lateSeq(id: string): Promise<number | null | 'duplicate' | undefined> {
    return (await this.#late)?.[this.#ids.indexOf(id)];
  }
}

/** A stream's window as one read saw it. */
export interface WindowSnapshot {
  /** The stream's seq counter; 0 if Redis has none. */
  seq: number;
  /** Every displayable, unretracted message with seq >= `from`, oldest first. */
  messages: Message[];
  /** Below this seq the window knows nothing: read the log. Infinity when there is no window. */
  from: number;
}

// Stamps a group of one stream's messages (group commit: the stamps a
// gateway asked for during one turn) in the order they were asked for.
// KEYS: seq counter, recent list, recent-from, then the once-keys of the
// messages stamped once (all in the stream's hash slot).
// ARGV: floor ('' = not known yet), capacity, idle ms, bus channel, '1' for
// SPUBLISH, then for each message: '1' to keep and publish it ('0': sampled,
// only stamped), the payload before and after the seq, the index of its
// once-key in KEYS ('0': none) and that key's lifetime in ms.
// Replies the seqs in order, -1 for a message already stamped once (it
// changes nothing: a line from another region arriving twice takes one seq);
// false when Redis has no counter and no floor.
// Stamping, keeping and publishing in one script is what makes the bus carry
// a stream's messages in seq order across gateways, and what makes every
// published message readable from the window the moment it is published.
const STAMP = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[1] == '' then return false end
  redis.call('SET', KEYS[1], ARGV[1])
end
local capacity = tonumber(ARGV[2])
local seqs = {}
local kept = false
for i = 6, #ARGV, 5 do
  local once = tonumber(ARGV[i + 3])
  if once > 0 and redis.call('EXISTS', KEYS[once]) == 1 then
    seqs[#seqs + 1] = -1
  else
    local seq = redis.call('INCR', KEYS[1])
    seqs[#seqs + 1] = seq
    if once > 0 then redis.call('SET', KEYS[once], seq, 'PX', ARGV[i + 4]) end
    if ARGV[i] == '1' then
      local payload = ARGV[i + 1] .. seq .. ARGV[i + 2]
      if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[3], seq) end
      if redis.call('RPUSH', KEYS[2], payload) > capacity then
        local oldest = cjson.decode(redis.call('LPOP', KEYS[2]))
        redis.call('SET', KEYS[3], oldest[3] + 1)
      end
      if ARGV[5] == '1' then redis.call('SPUBLISH', ARGV[4], payload) else redis.call('PUBLISH', ARGV[4], payload) end
      kept = true
    end
  end
end
if kept then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return seqs
`);

// KEYS: recent list. ARGV: the ids.
// Returns the ids it removed. A payload is [kind, id, seq, ts, userId, ...].
const REMOVE = new LuaScript(`
local wanted = {}
for i = 1, #ARGV do wanted[ARGV[i]] = true end
local removed = {}
for _, payload in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local tuple = cjson.decode(payload)
  if wanted[tuple[2]] then
    redis.call('LREM', KEYS[1], 1, payload)
    removed[#removed + 1] = tuple[2]
  end
end
return removed
`);

/**
 * The newest displayable messages of each stream, in Redis, written in the
 * same script that stamps their seq and publishes them. It covers the time
 * between a message's publication and the log's acknowledgement of it, so
 * a viewer who joins or resumes on any gateway finds every published
 * message either in the log or here, and the rest arrives live.
 */
export class RecentWindow {
  readonly #client: RedisClient;
  readonly #o: Required<RecentWindowOptions>;
  /** Stamps asked for in this turn, per stream, local and remote alike, sent as one script call after it (group commit). */
  readonly #groups: TurnGroups<Stampable, number | null | 'duplicate'>;
  /** Reads asked for in this turn, sent together after it: a join storm costs one read per stream per turn. */
  readonly #reads = new Map<string, Promise<WindowSnapshot>>();

  static async connect(options: RecentWindowOptions): Promise<RecentWindow> {
    const client = await connectRedis({ url: options.url, cluster: options.cluster, name: 'chorus-window', commandTimeoutMs: options.commandTimeoutMs, onError: options.onError });
    return new RecentWindow(client, options);
  }

  private constructor(client: RedisClient, options: RecentWindowOptions) {
    this.#client = client;
    this.#o = { ...RECENT_WINDOW, ...options };
    // A group is one stream's stamps of one turn, local and remote lines alike, so they take seqs in the order asked.
    this.#groups = new TurnGroups((stream, group) => this.#stamp(stream, group), MAX_STAMP_GROUP);
  }

  /**
   * Takes the stream's next seq and, unless `keep` is false (sampled out),
   * keeps and publishes the message. Resolves null when Redis has no counter
   * for the stream and no `floor` was given: the caller reads one and asks again.
   */
  async stamp(message: Omit<Message, 'seq'>, keep: boolean, floor: number | undefined): Promise<number | null> {
    const seq = await this.#groups.add(message.stream, { message, keep, floor });
    return seq === 'duplicate' ? null : seq;
  }

  /**
   * `stamp`, once per message id for `onceMs`: a message already stamped
   * within it answers 'duplicate' and is neither kept nor published again.
   */
  stampOnce(message: Omit<Message, 'seq'>, keep: boolean, floor: number | undefined, onceMs: number): Promise<number | null | 'duplicate'> {
    return this.#groups.add(message.stream, { message, keep, floor, onceMs });
  }

  /** Lets a message be stamped again (it was stamped once, then the log refused it). */
  async forgetOnce(stream: string, id: string): Promise<void> {
    await this.#run(this.#client.del(this.#onceKey(stream, id)));
  }

  /** Takes messages out of the window (retracted); returns the ids it held. */
  async remove(stream: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.#run(REMOVE.run(this.#client, [this.#keys(stream).recent], ids))) as string[];
  }

  /** The stream's counter and window. Reads asked for in the same turn share one round trip, and none is sent before its caller asked. */
  read(stream: string): Promise<WindowSnapshot> {
    let read = this.#reads.get(stream);
    if (read === undefined) {
      read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#reads.delete(stream);
        return this.#readNow(stream);
      });
      this.#reads.set(stream, read);
    }
    return read;
  }

  close(): Promise<void> {
    return closeRedis(this.#client);
  }

  async #readNow(stream: string): Promise<WindowSnapshot> {
    const keys = this.#keys(stream);
    const [seq, payloads, from] = (await this.#run(this.#client.multi().get(keys.seq).lRange(keys.recent, 0, -1).get(keys.from).exec())) as unknown as [string | null, string[], string | null];
    const messages: Message[] = [];
    for (const payload of payloads) {
      const event = decodeBusEvent(stream, payload);
      if (event.kind === 'msg') messages.push(event.message);
    }
    // Without its from-key (never expected, they expire together) the window vouches only for what it holds.
    const start = from === null ? (messages[0]?.seq ?? Infinity) : Number(from);
    return { seq: seq === null ? 0 : Number(seq), messages, from: start };
  }

  /**
   * One script call for a group of one stream's messages: each one's seq,
   * null for all when Redis has no counter and none of them brought a floor
   * (any floor is a safe start: each is read from the log), 'duplicate' for
   * one already stamped once.
   */
  async #stamp(stream: string, group: readonly Stampable[]): Promise<Array<number | null | 'duplicate'>> {
    const keys = this.#keys(stream);
    const scriptKeys = [keys.seq, keys.recent, keys.from];
    const floor = group.find((s) => s.floor !== undefined)?.floor;
    const args = [floor === undefined ? '' : String(floor), String(this.#o.capacity), String(this.#o.idleMs), busChannel(this.#o.keyPrefix, stream), this.#o.sharded ? '1' : '0'];
    for (const { message, keep, onceMs } of group) {
      const [before, after] = keep ? splitAroundSeq(message) : ['', ''];
      if (onceMs !== undefined) scriptKeys.push(this.#onceKey(stream, message.id));
      args.push(keep ? '1' : '0', before, after, onceMs === undefined ? '0' : String(scriptKeys.length), String(onceMs ?? 0));
    }
    const script = STAMP.run(this.#client, scriptKeys, args).then((reply) => (reply === null ? group.map(() => null) : (reply as unknown[]).map(seqOf)));
    try {
      return await this.#run(script);
    } catch (err) {
      // Past the deadline the script may still run: its outcome goes with the error.
      throw new StampTimedOut(err as Error, group.map((s) => s.message.id), script);
    }
  }

  #onceKey(stream: string, id: string): string {
    return `${streamKey(this.#o.keyPrefix, stream)}once:${id}`;
  }

  #keys(stream: string): { seq: string; recent: string; from: string } {
    const base = streamKey(this.#o.keyPrefix, stream);
    return { seq: `${base}seq`, recent: `${base}recent`, from: `${base}recent-from` };
  }

  #run<T>(command: Promise<T>): Promise<T> {
    return withDeadline(command, this.#o.commandTimeoutMs);
  }
}
