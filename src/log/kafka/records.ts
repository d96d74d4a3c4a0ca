// What the log topic holds: one record per accepted message, and retraction
// records keyed by the same stream, so they land in the same partition after
// the messages they retract. In multi-region mode also held lines and
// watermarks (docs/regions.md, "Global"), which only the peers read.
// Values are JSON.
import type { Message } from '../../protocol/types.ts';

export type LogRecord =
  | { t: 'm'; m: Message; s: boolean; h?: string }
  /** Retracts these ids of the stream. */
  | { t: 'r'; stream: string; ids: string[] }
  /** Retracts every message of this user in the stream that precedes this record in the partition (no longer written: a ban's bounded set is an `r` record; older topics still hold these). */
  | { t: 'u'; stream: string; user: string }
  /** A line accepted here in global order, durable but not in this region's order yet (seq 0): its `m` record follows when it is released. */
  | { t: 'g'; m: Message; h: string }
  /** A watermark heartbeat for partition `p` of `n`: this region stamps nothing more at or below `h` in it. */
  | { t: 'w'; h: string; p: number; n: number };

export function encodeRecord(record: LogRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** Undefined for a value that is not a record of ours (the topic is ours alone, but never trust a byte). */
export function decodeRecord(value: Buffer | null): LogRecord | undefined {
  if (value === null) return undefined;
  try {
    const record = JSON.parse(value.toString('utf8')) as LogRecord;
    if (record.t === 'm' && typeof record.m?.seq === 'number' && typeof record.m.id === 'string') return record;
    if (record.t === 'r' && typeof record.stream === 'string' && Array.isArray(record.ids)) return record;
    if (record.t === 'u' && typeof record.stream === 'string' && typeof record.user === 'string') return record;
    if (record.t === 'g' && typeof record.m?.id === 'string' && typeof record.m.stream === 'string' && typeof record.h === 'string') return record;
    if (record.t === 'w' && typeof record.h === 'string' && Number.isInteger(record.p) && Number.isInteger(record.n)) return record;
  } catch {
    // fall through
  }
  return undefined;
}

/** The stream's partition: FNV-1a of the stream name, so every gateway computes the same one without asking. */
export function partitionOf(stream: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    hash ^= stream.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
