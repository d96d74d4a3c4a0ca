import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameStrings, StreamCache } from '../../src/moderation/stream-cache.ts';

function countingCache(capacity: number): { cache: StreamCache<string[], string>; compiled: string[] } {
  const compiled: string[] = [];
  const cache = new StreamCache<string[], string>({
    capacity,
    compile: (terms) => {
      const result = terms.join('+');
      compiled.push(result);
      return result;
    },
    same: sameStrings,
    snapshot: (terms) => [...terms],
  });
  return { cache, compiled };
}

test('equal rules (even as fresh copies) compile once per stream', () => {
  const { cache, compiled } = countingCache(10);
  assert.equal(cache.get('s1', ['a', 'b']), 'a+b');
  assert.equal(cache.get('s1', ['a', 'b']), 'a+b');
  assert.equal(cache.get('s1', ['a', 'b']), 'a+b');
  assert.equal(cache.get('s2', ['a', 'b']), 'a+b');
  assert.deepEqual(compiled, ['a+b', 'a+b']);
});

test('changed rules recompile, including a list changed in place by the caller', () => {
  const { cache, compiled } = countingCache(10);
  const terms = ['a'];
  cache.get('s', terms);
  terms.push('b');
  assert.equal(cache.get('s', terms), 'a+b');
  assert.equal(cache.get('s', ['c']), 'c');
  assert.deepEqual(compiled, ['a', 'a+b', 'c']);
});

test('invalidate forces the next get to compile', () => {
  const { cache, compiled } = countingCache(10);
  cache.get('s', ['a']);
  cache.invalidate('s');
  assert.equal(cache.size, 0);
  cache.get('s', ['a']);
  assert.equal(compiled.length, 2);
  cache.invalidate('never-seen');
  cache.clear();
  assert.equal(cache.size, 0);
});

test('the least recently used stream is dropped beyond capacity', () => {
  const { cache, compiled } = countingCache(2);
  cache.get('s1', ['1']);
  cache.get('s2', ['2']);
  cache.get('s1', ['1']); // s1 is now the most recent
  cache.get('s3', ['3']); // evicts s2
  assert.equal(cache.size, 2);
  cache.get('s1', ['1']);
  assert.equal(compiled.length, 3, 's1 stayed');
  cache.get('s2', ['2']);
  assert.equal(compiled.length, 4, 's2 was evicted');
});

test('capacity must be positive', () => {
  assert.throws(() => countingCache(0), RangeError);
});

test('sameStrings compares element-wise', () => {
  assert.equal(sameStrings([], []), true);
  assert.equal(sameStrings(['a', 'b'], ['a', 'b']), true);
  assert.equal(sameStrings(['a', 'b'], ['b', 'a']), false);
  assert.equal(sameStrings(['a'], ['a', 'a']), false);
});
