// The per-gateway cache of per-stream state reads, and the effective roles built from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity } from '../../src/auth/identity.ts';
import { GrantedRoles, type StreamGrants } from '../../src/chat/granted-roles.ts';
import { StreamReadCache } from '../../src/chat/stream-read-cache.ts';
import { StreamSettings } from '../../src/chat/stream-settings.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';

/** A real MemoryState behind the cache, with the reads counted and a clock the test moves. */
function setup(options: { ttlMs?: number; maxStreams?: number } = {}) {
  const state = new MemoryState();
  const clock = { now: 1_000 };
  const reads: string[] = [];
  const cache = new StreamReadCache<StreamGrants>({
    ttlMs: options.ttlMs ?? 2_000,
    maxStreams: options.maxStreams ?? 100,
    now: () => clock.now,
    read: (stream) => {
      reads.push(stream);
      return state.getGrants(stream);
    },
  });
  return { state, clock, reads, cache };
}

test('a stream is read once per ttl, then again', async () => {
  const { state, clock, reads, cache } = setup();
  await state.setGrant('s', 'u1', ['vip']);
  assert.deepEqual(await cache.get('s'), new Map([['u1', ['vip']]]));
  await state.setGrant('s', 'u2', ['moderator']); // made by another gateway: not seen within the ttl
  clock.now += 1_999;
  assert.equal((await cache.get('s')).has('u2'), false);
  clock.now += 1;
  assert.equal((await cache.get('s')).has('u2'), true);
  assert.deepEqual(reads, ['s', 's']);
});

test('callers that come while a read is in flight share it', async () => {
  const { reads, cache } = setup();
  const answers = await Promise.all(Array.from({ length: 50 }, () => cache.get('s')));
  assert.equal(reads.length, 1);
  assert.ok(answers.every((a) => a === answers[0]));
});

test('forget detaches a read under way: later callers never get its older answer', async () => {
  const state = new MemoryState();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reads = 0;
  const cache = new StreamReadCache<StreamGrants>({
    ttlMs: 60_000,
    maxStreams: 10,
    now: () => 0,
    // The first read answers with what was stored when it began, but only after the test lets it.
    read: async (stream) => {
      const answer = await state.getGrants(stream);
      if (++reads === 1) await gate;
      return answer;
    },
  });
  const early = cache.get('s');
  await new Promise((resolve) => setImmediate(resolve));
  await state.setGrant('s', 'u1', ['moderator']);
  cache.forget('s');
  release();
  assert.equal((await early).size, 0, 'asked before the change');
  assert.deepEqual(await cache.get('s'), new Map([['u1', ['moderator']]]));
  assert.deepEqual(await cache.get('s'), new Map([['u1', ['moderator']]]));
  assert.equal(reads, 2);
});

test('a failed read is not kept', async () => {
  let fail = true;
  const cache = new StreamReadCache<StreamGrants>({
    ttlMs: 60_000,
    maxStreams: 10,
    now: () => 0,
    read: async (): Promise<StreamGrants> => {
      if (fail) throw new Error('redis down');
      return new Map();
    },
  });
  await assert.rejects(cache.get('s'), /redis down/);
  fail = false;
  assert.equal((await cache.get('s')).size, 0);
});

test('at most maxStreams streams are kept, the least recently used dropped first', async () => {
  const { reads, cache } = setup({ maxStreams: 2 });
  await cache.get('a');
  await cache.get('b');
  await cache.get('a'); // a is now the most recently used
  await cache.get('c'); // drops b
  assert.equal(cache.size, 2);
  await cache.get('a');
  await cache.get('c');
  assert.deepEqual(reads, ['a', 'b', 'c']);
  await cache.get('b');
  assert.deepEqual(reads, ['a', 'b', 'c', 'b']);
});

test('effective roles: the token roles plus the granted ones; a change made here counts at once', async () => {
  const state = new MemoryState();
  const roles = new GrantedRoles({ state, ttlMs: 60_000, maxStreams: 10, now: () => 0 });
  const alice: Identity = { id: 'u_alice', name: 'alice', roles: { s: ['subscriber'], other: ['vip'] } };
  assert.equal(await roles.effective(alice, 's'), alice, 'no grant: the same identity');
  assert.equal(await roles.effective(null, 's'), null);
  await roles.set('s', 'u_alice', ['moderator', 'vip']);
  const effective = await roles.effective(alice, 's');
  assert.deepEqual({ ...effective?.roles }, { s: ['moderator', 'vip', 'subscriber'], other: ['vip'] });
  assert.deepEqual(alice.roles.s, ['subscriber'], 'the token identity is not changed');
  await roles.set('s', 'u_alice', []);
  assert.equal(await roles.effective(alice, 's'), alice);
  await state.close();
});

test('stream settings: modes and rules read once per ttl; a change made here counts at once, one made elsewhere within the ttl', async () => {
  const state = new MemoryState();
  const clock = { now: 0 };
  const settings = new StreamSettings({ state, ttlMs: 2_000, maxStreams: 10, now: () => clock.now });
  assert.deepEqual(await settings.of('s'), { modes: DEFAULT_MODES, rules: { blockedTerms: [], blockLinks: false, emotes: [] }, images: { emotes: [], badges: [] }, emotes: [] });
  await settings.setModes('s', { slowSeconds: 5 });
  await settings.setRules('s', { blockedTerms: ['spoiler'], blockLinks: true, emotes: [] });
  assert.equal((await settings.of('s')).modes.slowSeconds, 5, 'changed through this gateway: at once');
  assert.deepEqual((await settings.of('s')).rules.blockedTerms, ['spoiler']);
  await state.setModes('s', { emoteOnly: true }); // another gateway's change
  clock.now += 1_999;
  assert.equal((await settings.of('s')).modes.emoteOnly, false, 'within the ttl: the copy read before');
  clock.now += 1;
  assert.deepEqual((await settings.of('s')).modes, { ...DEFAULT_MODES, slowSeconds: 5, emoteOnly: true });
  assert.equal((await settings.of('other')).modes.slowSeconds, 0);
  await state.close();
});

test('peek answers what the last read found without waiting, and nothing before a read or after a forget', async () => {
  const { state, clock, cache } = setup();
  await state.setGrant('s', 'u1', ['vip']);
  assert.equal(cache.peek('s'), undefined, 'never read');
  const reading = cache.get('s');
  assert.equal(cache.peek('s'), undefined, 'the first read is under way');
  await reading;
  assert.deepEqual(cache.peek('s'), new Map([['u1', ['vip']]]));
  await state.setGrant('s', 'u2', ['moderator']);
  clock.now += 2_000;
  await cache.get('s');
  assert.equal(cache.peek('s')!.has('u2'), true, 'the newer read\'s answer');
  cache.forget('s');
  assert.equal(cache.peek('s'), undefined);
});
