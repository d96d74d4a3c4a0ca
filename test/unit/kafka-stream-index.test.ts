// The Kafka log's in-memory index: ordered by seq, deduplicated, bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamIndex, type IndexEntry } from '../../src/log/kafka/stream-index.ts';

const entry = (seq: number, offset = seq, user = 'u'): IndexEntry => ({ seq, offset, ts: seq * 1000, id: `id-${seq}`, user, sampled: false, retracted: false });
const seqs = (entries: IndexEntry[]): number[] => entries.map((e) => e.seq);

test('entries stay in seq order whatever order they arrive in, and a seq is kept once', () => {
  const index = new StreamIndex({ maxPerStream: 100, maxTotal: 1000 });
  for (const seq of [3, 1, 2, 5, 4, 3, 1]) index.insert('s', entry(seq));
  assert.deepEqual(seqs(index.entries('s')), [1, 2, 3, 4, 5]);
  assert.deepEqual(seqs(index.since('s', 2, 2)), [3, 4]);
  assert.deepEqual(seqs(index.latest('s', 2)), [4, 5]);
  assert.equal(index.lastSeq('s'), 5);
});

test('each stream keeps at most maxPerStream entries, oldest evicted, lastSeq kept', () => {
  const index = new StreamIndex({ maxPerStream: 3, maxTotal: 1000 });
  for (let seq = 1; seq <= 10; seq++) index.insert('s', entry(seq));
  assert.deepEqual(seqs(index.entries('s')), [8, 9, 10]);
  index.pruneOlderThan(100_000);
  assert.deepEqual(index.entries('s'), []);
  assert.equal(index.lastSeq('s'), 10);
});

test('over maxTotal the least recently written stream loses its oldest entries first', () => {
  const index = new StreamIndex({ maxPerStream: 100, maxTotal: 4 });
  index.insert('old', entry(1));
  index.insert('old', entry(2));
  index.insert('new', entry(1));
  index.insert('new', entry(2));
  index.insert('new', entry(3));
  assert.deepEqual(seqs(index.entries('old')), [2]);
  assert.deepEqual(seqs(index.entries('new')), [1, 2, 3]);
});

test('a user retraction hides only messages before its offset', () => {
  const index = new StreamIndex({ maxPerStream: 100, maxTotal: 1000 });
  index.insert('s', entry(1, 10, 'spam'));
  index.insert('s', entry(2, 11, 'ok'));
  index.insert('s', entry(3, 13, 'spam'));
  index.retractUserBefore('s', 'spam', 12);
  assert.deepEqual(seqs(index.latest('s', 10)), [2, 3]);
});
