// What a region takes from a peer's topics: only well-formed records of ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDecision, decodeViewerRegister, encodeShared, modesSet, type Decision } from '../../../src/regions/shared-records.ts';

const base = { id: 'd1', origin: 'us', hlc: '1700000000000.3.us', stream: 's' };
const raw = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const user = { id: 'u1', name: 'Una', badges: ['subscriber' as const] };
const held = { id: 'h1', stream: 's', user, text: 'holdme please', emotes: undefined, reason: 'held term', heldAt: 1_700_000_000_000, first: true, returning: false };
const reply = { id: 'p1', user: { id: 'u2', name: 'Pat' }, text: 'the parent', thread: { id: 'p1', user: { id: 'u2', name: 'Pat' } } };

test('every decision kind survives encoding', () => {
  const decisions: Decision[] = [
    { ...base, k: 'ban', user: 'u1', until: null },
    { ...base, k: 'ban', user: 'u1', until: 1_700_000_600_000 },
    { ...base, k: 'unban', user: 'u1' },
    { ...base, k: 'modes', modes: { slowSeconds: 5, emoteOnly: true, ordering: 'global' } },
    { ...base, k: 'rules', rules: { blockedTerms: ['x'], blockLinks: true, emotes: [] } },
    { ...base, k: 'retract', ids: ['a', 'b'], reason: 'deleted' },
    { ...base, k: 'retract', ids: ['a'] },
    { ...base, k: 'held', held },
    { ...base, k: 'held', held: { ...held, emotes: [{ name: 'Kappa', start: 0, end: 5 }], reply } },
    { ...base, k: 'reviewed', heldId: 'h1', outcome: 'approved' },
    { ...base, k: 'reviewed', heldId: 'h1', outcome: 'denied' },
  ];
  for (const d of decisions) assert.deepEqual(decodeDecision(encodeShared(d)), d);
});

test('a malformed decision is dropped, not half applied', () => {
  const bad: unknown[] = [
    null, 'text', [], { ...base },
    { ...base, k: 'ban', user: 'u1' },
    { ...base, k: 'ban', user: 'u1', until: 'later' },
    { ...base, k: 'ban', user: '', until: null },
    { ...base, hlc: 'yesterday', k: 'unban', user: 'u1' },
    { ...base, k: 'modes', modes: { slowSeconds: '5' } },
    { ...base, k: 'modes', modes: { ordering: 'random' } },
    { ...base, k: 'modes', modes: { admin: true } },
    { ...base, k: 'rules', rules: { blockedTerms: 'x', blockLinks: true, emotes: [] } },
    { ...base, k: 'retract', ids: [1] },
    { ...base, k: 'retract', ids: Array.from({ length: 1_001 }, (_, i) => `${i}`) },
    { ...base, k: 'pin' },
    { ...base, k: 'held', held: { ...held, stream: 'another' } },
    { ...base, k: 'held', held: { ...held, user: { ...user, badges: ['admin'] } } },
    { ...base, k: 'held', held: { ...held, heldAt: 'now' } },
    { ...base, k: 'held', held: { ...held, text: 'x'.repeat(10_001) } },
    { ...base, k: 'held', held: { ...held, emotes: [{ name: 'Kappa' }] } },
    { ...base, k: 'held', held: { ...held, reply: { ...reply, thread: null } } },
    { ...base, k: 'reviewed', heldId: 'h1', outcome: 'expired' },
  ];
  for (const value of bad) assert.equal(decodeDecision(raw(value)), undefined, JSON.stringify(value)?.slice(0, 80));
  assert.equal(decodeDecision(Buffer.from('{not json')), undefined);
  assert.equal(decodeDecision(null), undefined);
});

test('viewer registers: well-formed or dropped', () => {
  const r = { origin: 'eu', stream: 's', at: 1_700_000_000_000, hll: Buffer.from('HYLL').toString('base64') };
  assert.deepEqual(decodeViewerRegister(encodeShared(r)), r);
  assert.equal(decodeViewerRegister(raw({ ...r, at: 'now' })), undefined);
  assert.equal(decodeViewerRegister(raw({ ...r, hll: 5 })), undefined);
});

test('a modes change is written with the modes it sets only, so a peer takes it whole', () => {
  const change = { slowSeconds: 3, ordering: 'global', stray: 1, emoteOnly: undefined } as unknown as Parameters<typeof modesSet>[0];
  const modes = modesSet(change);
  assert.deepEqual(modes, { slowSeconds: 3, ordering: 'global' });
  assert.deepEqual(decodeDecision(encodeShared({ ...base, k: 'modes', modes })), { ...base, k: 'modes', modes });
});
