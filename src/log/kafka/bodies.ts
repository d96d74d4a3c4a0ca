// Fetches the message bodies at known offsets of one partition: each fetch
// starts at the first offset still wanted, so the scan skips over other
// streams' records between them.
import type { Message } from '../../protocol/types.ts';
import { decodeRecord } from './records.ts';
import type { TopicReader } from './topic-reader.ts';

const FETCH_MAX_BYTES = 1024 * 1024;

/** The messages at `offsets` (ascending) by offset; an offset retention already deleted is missing. */
export async function readBodies(reader: TopicReader, partition: number, offsets: number[]): Promise<Map<number, Message>> {
  const found = new Map<number, Message>();
  let i = 0;
  // Every round either finds the next wanted offset or skips past it, so offsets.length rounds suffice.
  for (let round = 0; i < offsets.length && round <= offsets.length; round++) {
    const { records, next } = await reader.fetch(partition, offsets[i]!, 0, FETCH_MAX_BYTES);
    const wanted = new Set(offsets.slice(i));
    for (const { offset, value } of records) {
      if (!wanted.has(offset)) continue;
      const record = decodeRecord(value);
      if (record?.t === 'm') found.set(offset, record.m);
    }
    const reached = records.length === 0 ? offsets[i]! + 1 : Math.max(next, offsets[i]! + 1);
    while (i < offsets.length && offsets[i]! < reached) i++;
  }
  return found;
}
