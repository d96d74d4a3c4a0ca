// The in-process index of the log topic: for each stream, its messages'
// seq, offset, time, id, user and flags (no bodies; those stay in Kafka).
// Built by the tail reader from the whole topic, so every gateway knows
// every stream's seqs and retractions; bounded per stream and in total.
import type { LogRecord } from './records.ts';

export interface IndexEntry {
  seq: number;
  offset: number;
  ts: number;
  id: string;
  user: string;
  sampled: boolean;
  retracted: boolean;
}

interface StreamEntries {
  /** Sorted by seq; entries before `start` are evicted (compacted away lazily). */
  entries: IndexEntry[];
  start: number;
  lastSeq: number;
}

export interface StreamIndexOptions {
  maxPerStream: number;
  maxTotal: number;
}

export class StreamIndex {
  /** In order of last insertion, so the least recently written stream is evicted first. */
  readonly #streams = new Map<string, StreamEntries>();
  readonly #options: StreamIndexOptions;
  #total = 0;

  constructor(options: StreamIndexOptions) {
    this.#options = options;
  }

  /** Adds a message; a seq the stream already has is ignored (the tail re-reads what `append` indexed). */
  /** Applies one record of the topic at its offset (also this gateway's own writes, once acknowledged). */
  apply(record: LogRecord | undefined, offset: number): void {
    if (record === undefined) return;
    if (record.t === 'm') {
      const m = record.m;
      this.insert(m.stream, { seq: m.seq, offset, ts: m.ts, id: m.id, user: m.user.id, sampled: record.s, retracted: false });
    } else if (record.t === 'r') {
      this.retractIds(record.stream, record.ids);
    } else if (record.t === 'u') {
      this.retractUserBefore(record.stream, record.user, offset);
    }
    // Held lines and watermarks are for the peers: a held line enters history by its own `m` record.
  }

  insert(stream: string, entry: IndexEntry): void {
    let s = this.#streams.get(stream);
    if (s === undefined) s = { entries: [], start: 0, lastSeq: 0 };
    else this.#streams.delete(stream);
    this.#streams.set(stream, s);
    s.lastSeq = Math.max(s.lastSeq, entry.seq);
    const { entries } = s;
    const at = lowerBound(entries, s.start, entry.seq);
    if (at < entries.length && entries[at]!.seq === entry.seq) return;
    if (at === entries.length) entries.push(entry);
    else entries.splice(at, 0, entry);
    this.#total++;
    if (entries.length - s.start > this.#options.maxPerStream) this.#evictOldest(stream, s);
    while (this.#total > this.#options.maxTotal) {
      const [oldest, os] = this.#streams.entries().next().value!;
      this.#evictOldest(oldest, os);
    }
  }

  lastSeq(stream: string): number {
    return this.#streams.get(stream)?.lastSeq ?? 0;
  }

  /** Live entries of a stream, oldest seq first (do not modify). */
  entries(stream: string): IndexEntry[] {
    const s = this.#streams.get(stream);
    return s === undefined ? [] : s.entries.slice(s.start);
  }

  /** Displayable entries with seq > afterSeq, at most `limit`, oldest first. */
  since(stream: string, afterSeq: number, limit: number): IndexEntry[] {
    const s = this.#streams.get(stream);
    const out: IndexEntry[] = [];
    if (s === undefined) return out;
    for (let i = lowerBound(s.entries, s.start, afterSeq + 1); i < s.entries.length && out.length < limit; i++) {
      if (displayable(s.entries[i]!)) out.push(s.entries[i]!);
    }
    return out;
  }

  /** The last `limit` displayable entries, oldest first. */
  latest(stream: string, limit: number): IndexEntry[] {
    const s = this.#streams.get(stream);
    const out: IndexEntry[] = [];
    if (s === undefined) return out;
    for (let i = s.entries.length - 1; i >= s.start && out.length < limit; i--) {
      if (displayable(s.entries[i]!)) out.push(s.entries[i]!);
    }
    return out.reverse();
  }

  /** Entries with fromMs <= ts < toMs, ordered by ts then seq, at most `limit`. */
  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): IndexEntry[] {
    const matches = this.entries(stream).filter((e) => !e.retracted && (includeSampled || !e.sampled) && e.ts >= fromMs && e.ts < toMs);
    return matches.sort((a, b) => a.ts - b.ts || a.seq - b.seq).slice(0, limit);
  }

  /** Which of `ids` the stream holds (retracted or not). */
  find(stream: string, ids: Iterable<string>): string[] {
    const wanted = new Set(ids);
    return this.entries(stream).filter((e) => wanted.has(e.id)).map((e) => e.id);
  }

  /** A user's not yet retracted entries with ts >= `sinceMs`, newest first, at most `limit`. */
  userEntries(stream: string, user: string, limit: number, sinceMs: number): IndexEntry[] {
    const all = this.entries(stream);
    const out: IndexEntry[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const e = all[i]!;
      if (e.user === user && !e.retracted && e.ts >= sinceMs) out.push(e);
    }
    return out;
  }

  retractIds(stream: string, ids: Iterable<string>): void {
    const wanted = new Set(ids);
    for (const e of this.entries(stream)) if (wanted.has(e.id)) e.retracted = true;
  }

  /** Retracts the user's messages written before `beforeOffset` (the record's own offset): `u` records, written before retractions were bounded. */
  retractUserBefore(stream: string, user: string, beforeOffset: number): void {
    for (const e of this.entries(stream)) if (e.user === user && e.offset < beforeOffset) e.retracted = true;
  }

  /** Drops entries older than `minTs` (Kafka deletes them by retention too). */
  pruneOlderThan(minTs: number): void {
    for (const [stream, s] of this.#streams) {
      while (s.start < s.entries.length && s.entries[s.start]!.ts < minTs) this.#evictOldest(stream, s);
    }
  }

  #evictOldest(stream: string, s: StreamEntries): void {
    if (s.start < s.entries.length) {
      s.start++;
      this.#total--;
    }
    if (s.start === s.entries.length) {
      // Keep lastSeq: a stream whose messages all expired still knows where its seq stands.
      s.entries = [];
      s.start = 0;
      if (this.#total > this.#options.maxTotal) this.#streams.delete(stream);
    } else if (s.start > 1024 && s.start * 2 > s.entries.length) {
      s.entries = s.entries.slice(s.start);
      s.start = 0;
    }
  }
}

function displayable(e: IndexEntry): boolean {
  return !e.sampled && !e.retracted;
}

/** First position at or after `from` whose seq is >= seq. */
function lowerBound(entries: IndexEntry[], from: number, seq: number): number {
  let lo = from;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
