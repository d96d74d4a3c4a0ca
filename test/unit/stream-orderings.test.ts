// Each stream's ordering as lines are routed by it (src/regions/stream-orderings.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamOrderings } from '../../src/regions/stream-orderings.ts';
import { DEFAULT_MODES, type Modes, type Ordering } from '../../src/protocol/types.ts';

/** A state store whose reads of a stream's modes are counted and answered when told. */
function store(ordering: Ordering) {
  const reads: string[] = [];
  const answers: Array<() => void> = [];
  const getModes = (stream: string): Promise<Modes> => {
    reads.push(stream);
    return new Promise((resolve) => answers.push(() => resolve({ ...DEFAULT_MODES, ordering })));
  };
  return { reads, getModes, answerAll: () => answers.splice(0).forEach((answer) => answer()) };
}

test('sends that find a stream stale while it is being read wait for that one read', async () => {
  let now = 0;
  const s = store('global');
  const orderings = new StreamOrderings(s.getModes, () => now);
  const burst = Array.from({ length: 50 }, () => orderings.get('s'));
  assert.deepEqual(s.reads, ['s'], 'one read for fifty sends');
  s.answerAll();
  assert.deepEqual(await Promise.all(burst), Array(50).fill('global'));

  now = 500;
  assert.equal(await orderings.get('s'), 'global', 'fresh for a second: no read');
  assert.equal(s.reads.length, 1);

  now = 1_000;
  const again = [orderings.get('s'), orderings.load(['s', 't'])];
  assert.deepEqual(s.reads, ['s', 's', 't'], 'stale again: read again, once, and the other stream once');
  s.answerAll();
  await Promise.all(again);
  assert.equal(orderings.of('t'), 'global');
});

test('a failed read fails each waiting send and the next send reads again', async () => {
  let fail = true;
  let reads = 0;
  const orderings = new StreamOrderings(async () => {
    reads++;
    if (fail) throw new Error('redis down');
    return { ...DEFAULT_MODES, ordering: 'regional' };
  });
  const results = await Promise.allSettled([orderings.get('s'), orderings.get('s')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(reads, 1);
  fail = false;
  assert.equal(await orderings.get('s'), 'regional');
  assert.equal(reads, 2);
});
