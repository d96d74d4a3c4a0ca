import type { Message } from '../protocol/types.ts';

/** A message as the durable log keeps it: the wire message plus what decides who may see it. */
export interface LoggedMessage {
  message: Message;
  /** Stored, but not broadcast (sampling); visible only in moderator replay. */
  sampled: boolean;
  /** Multi-region mode: the line's hybrid logical clock stamp (src/regions/hlc.ts, text form), stored beside it, never sent to clients. */
  hlc?: string;
}

/**
 * What a region's follower of a peer's mirrored log reads (docs/regions.md):
 * the peer's lines (also those it accepted in global order and holds, not in
 * its own order yet: seq 0) and its watermark heartbeats, each for one
 * partition of `partitions`.
 */
export type RegionRecord =
  | { kind: 'line'; entry: LoggedMessage }
  | { kind: 'watermark'; hlc: string; partition: number; partitions: number };

/** What multi-region mode writes to the log besides ordered lines (src/regions/global-streams.ts). */
export interface RegionLog {
  /** The log's partitions: a stream's lines and a partition's watermarks share one (records.ts, partitionOf). */
  readonly partitions: number;
  /** A line accepted in global order, durable before it is held (its seq is 0 until it is released). */
  appendHeld(message: Message, hlc: string): Promise<void>;
  /** A watermark heartbeat, once in each of `partitions`: lines of a partition are mirrored in order, so it arrives after every line below it. */
  appendWatermark(hlc: string, partitions: readonly number[]): Promise<void>;
}

/** How far back a ban or timeout retracts: messages with ts >= `sinceMs`, at most `max` of them (the newest). */
export interface UserRetraction {
  sinceMs: number;
  max: number;
}

export interface HistoryPage {
  messages: Message[];
  /** The newest seq the log holds for the stream (displayable or not), 0 if none. */
  lastSeq: number;
}

/**
 * The durable log of accepted messages. `append` resolves only once the
 * messages survive a crash of this process; reads return displayable
 * messages (not sampled out, not retracted) oldest first unless asked otherwise.
 */
export interface DurableLog {
  append(entries: LoggedMessage[]): Promise<void>;
  /** Marks messages as retracted, so history and replay stop returning them. Returns the ids it found. */
  retract(stream: string, ids: string[]): Promise<string[]>;
  /** Retracts one user's messages in a stream (ban, timeout), as far back as `bounds` says. Returns the ids. */
  retractUser(stream: string, userId: string, bounds: UserRetraction): Promise<string[]>;
  /** One message of the stream by id, sampled and retracted ones included (deleting twice is not an error). */
  message(stream: string, id: string): Promise<Message | undefined>;
  /** The user's newest message in the stream (sampled included, retracted not): their badges as last seen there. */
  newestOf(stream: string, userId: string): Promise<Message | undefined>;
  /** The last `limit` displayable messages. */
  latest(stream: string, limit: number): Promise<HistoryPage>;
  /** Displayable messages with seq > `afterSeq`, at most `limit`. */
  since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage>;
  /** Messages with from <= ts < to, at most `limit`; `includeSampled` for moderators. */
  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]>;
  lastSeq(stream: string): Promise<number>;
  /** Rejects while the log cannot store messages (its disk is full), so /readyz turns 503. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}
