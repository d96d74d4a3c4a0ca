// What MemoryState and its parts do beyond the StateStore contract.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Modes, StreamRules } from '../../src/protocol/types.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import { SendWindows } from '../../src/state/send-windows.ts';
import { SqliteStatePersistence } from '../../src/state/sqlite-state-persistence.ts';
import type { StatePersistence } from '../../src/state/state-persistence.ts';

test('send windows forget senders once nothing of theirs can refuse a send', () => {
  const windows = new SendWindows();
  const check = { stream: 's', slowSeconds: 0, rateMax: 5, rateWindowMs: 1000 };
  for (let i = 0; i < 10_000; i++) assert.deepEqual(windows.check({ ...check, userId: `u${i}`, now: 0 }), { ok: true });
  assert.equal(windows.size, 10_000);
  // One active sender later on: every check sweeps a little, so the idle ones go.
  for (let i = 0; i < 5_000; i++) windows.check({ ...check, userId: 'active', now: 1000 + i, rateMax: 0 });
  assert.equal(windows.size, 0);
  // With slow mode on, an entry lives as long as the slow-mode interval.
  windows.check({ ...check, userId: 'slow', now: 10_000, slowSeconds: 60 });
  for (let i = 0; i < 10; i++) windows.check({ ...check, userId: 'other', now: 60_000 + i, rateMax: 0 });
  assert.equal(windows.size, 1);
  assert.deepEqual(windows.check({ ...check, userId: 'slow', now: 60_000, slowSeconds: 60 }), { ok: false, code: 'slow_mode', retryAfterMs: 10_000 });
});

test('a sender keeps at most rateMax timestamps', () => {
  const windows = new SendWindows();
  const check = { stream: 's', userId: 'u', slowSeconds: 0, rateMax: 3, rateWindowMs: 1000 };
  for (let now = 0; now < 100_000; now += 400) assert.equal(windows.check({ ...check, now }).ok, true);
  // Limit tightened to 1: the newest send alone blocks until it leaves the window.
  assert.deepEqual(windows.check({ ...check, now: 100_000, rateMax: 1 }), { ok: false, code: 'rate_limited', retryAfterMs: 600 });
});

test('timeouts that ended are not loaded again, and their rows are deleted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-state-'));
  try {
    const path = join(dir, 'chorus.db');
    const now = Date.now();
    let persistence = new SqliteStatePersistence(path);
    persistence.saveBan('s', 'over', { until: now - 1 });
    persistence.saveBan('s', 'running', { until: now + 60_000 });
    assert.deepEqual([...(persistence.load(now).bans.get('s')?.keys() ?? [])], ['running']);
    persistence.close();
    persistence = new SqliteStatePersistence(path);
    assert.deepEqual([...(persistence.load(0).bans.get('s')?.keys() ?? [])], ['running']);
    persistence.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a change that cannot be stored does not take effect', async () => {
  const failing: StatePersistence = {
    load: () => ({ modes: new Map(), rules: new Map(), images: new Map(), bans: new Map(), grants: new Map(), standings: new Map() }),
    saveModes: (_stream: string, _modes: Modes) => {
      throw new Error('disk full');
    },
    saveRules: (_stream: string, _rules: StreamRules) => {
      throw new Error('disk full');
    },
    saveImages: () => {
      throw new Error('disk full');
    },
    saveBan: () => {
      throw new Error('disk full');
    },
    deleteBan: () => {},
    saveGrant: () => {
      throw new Error('disk full');
    },
    saveStanding: () => {
      throw new Error('disk full');
    },
    close: () => {},
  };
  const state = new MemoryState({ persistence: failing });
  await assert.rejects(state.setModes('s', { slowSeconds: 9 }), /disk full/);
  await assert.rejects(state.setRules('s', { blockedTerms: ['x'], blockLinks: true, emotes: [] }), /disk full/);
  await assert.rejects(state.setImages('s', { emotes: [], badges: [] }), /disk full/);
  assert.deepEqual(await state.getImages('s'), { emotes: [], badges: [] });
  await assert.rejects(state.setBan('s', 'u', { until: null }), /disk full/);
  await assert.rejects(state.setGrant('s', 'u', ['moderator']), /disk full/);
  await assert.rejects(state.setWarning('s', 'u', 'calm down'), /disk full/);
  await assert.rejects(state.setRestricted('s', 'u', true), /disk full/);
  assert.deepEqual(await state.getStanding('s', 'u'), { warning: null, restricted: false });
  assert.equal((await state.getModes('s')).slowSeconds, 0);
  assert.deepEqual((await state.getRules('s')).blockedTerms, []);
  assert.equal(await state.getBan('s', 'u', Date.now()), null);
  assert.deepEqual(await state.getGrants('s'), new Map());
  await state.close();
});
