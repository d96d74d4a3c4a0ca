// The Kafka audit log's view in memory: entries by cursor whatever order they
// arrive in, each once, bounded per stream and in all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModlogWindow } from '../../src/modlog/modlog-window.ts';
import type { ModlogEntry } from '../../src/protocol/modlog-entry.ts';

const entry = (stream: string, cursor: number, ts = 100, user?: string): ModlogEntry => ({
  cursor, stream, ts, seq: 0, actor: { id: 'm', name: 'mod' }, action: 'ban', ...(user === undefined ? {} : { user: { id: user } }),
});
const cursors = (window: ModlogWindow, stream: string, since = 0): number[] => window.page(stream, { limit: 100 }, since).map((e) => e.cursor);

test('an entry read back after its own acknowledgement, or arriving late, takes its place by cursor once', () => {
  const window = new ModlogWindow(100, 1_000);
  window.add(entry('s', 5));
  window.add(entry('s', 7)); // this gateway's own, acknowledged before another's earlier entry was read
  window.add(entry('s', 6));
  window.add(entry('s', 7)); // read back
  window.add(entry('s', 5));
  assert.deepEqual(cursors(window, 's'), [7, 6, 5]);
  assert.deepEqual(window.page('s', { limit: 2, before: 7 }, 0).map((e) => e.cursor), [6, 5]);
});

test('a stream keeps its newest maxPerStream; beyond maxTotal the stream written longest ago goes whole', () => {
  const window = new ModlogWindow(3, 5);
  for (let c = 1; c <= 4; c++) window.add(entry('a', c));
  assert.deepEqual(cursors(window, 'a'), [4, 3, 2]);
  window.add(entry('b', 1));
  window.add(entry('b', 2));
  assert.deepEqual([cursors(window, 'a'), cursors(window, 'b')], [[4, 3, 2], [2, 1]], '5 in all: at the bound');
  window.add(entry('a', 5)); // 'a' is now the stream written last
  window.add(entry('c', 1));
  assert.deepEqual([cursors(window, 'a'), cursors(window, 'b'), cursors(window, 'c')], [[5, 4, 3], [], [1]]);
});

test('entries older than the retention and other users\' are skipped', () => {
  const window = new ModlogWindow(100, 1_000);
  window.add(entry('s', 1, 10, 'u1'));
  window.add(entry('s', 2, 20, 'u2'));
  window.add(entry('s', 3, 30, 'u1'));
  assert.deepEqual(cursors(window, 's', 20), [3, 2]);
  assert.deepEqual(window.page('s', { limit: 10, user: 'u1' }, 0).map((e) => e.cursor), [3, 1]);
});
