// The multi-region additions to the wire (docs/protocol.md): `origin` on a
// message, `modes.ordering`, `state.globalOrder`; each travels the bus and the state stores unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBusEvent, encodeBusEvent, splitAroundSeq } from '../../../src/bus/bus-event-codec.ts';
import { parseClientFrame } from '../../../src/protocol/client-frames.ts';
import { DEFAULT_MODES, type Message } from '../../../src/protocol/types.ts';
import { MemoryState } from '../../../src/state/memory-state.ts';
import type { BusEvent } from '../../../src/bus/bus.ts';
import { readStreamState } from '../../../src/chat/stream-state.ts';
import { ExactViewerCounter } from '../../../src/viewers/exact-viewer-count.ts';

const base: Message = { id: 'm1', stream: 's1', seq: 7, ts: 1_700_000_000_000, user: { id: 'u1', name: 'Ann', badges: [] }, text: 'hi', origin: 'eu' };

test('a message\'s origin crosses the bus, with or without colour and emotes, and its seq can still be spliced in', () => {
  const variants: Message[] = [
    base,
    { ...base, user: { ...base.user, color: '#ff0000' } },
    { ...base, emotes: [{ name: 'Kappa', start: 0, end: 1 }] },
    { ...base, user: { ...base.user, color: '#00ff00' }, emotes: [] },
  ];
  for (const message of variants) {
    const payload = encodeBusEvent({ kind: 'msg', message });
    assert.deepStrictEqual(decodeBusEvent('s1', payload), { kind: 'msg', message });
    const { seq, ...draft } = message;
    const [before, after] = splitAroundSeq(draft);
    assert.equal(`${before}${seq}${after}`, payload);
  }
});

test('modes.ordering is a mode a moderator may set: regional or global, nothing else', () => {
  const mod = (modes: unknown) => parseClientFrame(JSON.stringify({ type: 'mod', stream: 's', action: 'modes', modes }));
  assert.deepEqual(mod({ ordering: 'global' }), { ok: true, frame: { type: 'mod', stream: 's', nonce: undefined, action: 'modes', modes: { ordering: 'global' } } });
  assert.equal(mod({ ordering: 'regional' }).ok, true);
  const refused = mod({ ordering: 'fastest' });
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(refused.message, 'ordering must be one of regional, global');
});

test('the state store keeps modes.ordering beside the other modes, and leaves it out until set', async () => {
  const state = new MemoryState();
  assert.equal('ordering' in (await state.getModes('s')), false);
  assert.deepEqual(await state.setModes('s', { ordering: 'global' }), { ...DEFAULT_MODES, ordering: 'global' });
  assert.deepEqual(await state.setModes('s', { slowSeconds: 5 }), { ...DEFAULT_MODES, slowSeconds: 5, ordering: 'global' });
  assert.equal((await state.getModes('s')).ordering, 'global');
});

test('state.globalOrder is read for a stream in global order only, and crosses the bus as a state change', async () => {
  const state = new MemoryState();
  const sources = {
    state, viewers: new ExactViewerCounter(), sampling: { rateOf: () => ({ perSecond: 0, sampling: false, keepRatio: 1 }) },
    globalOrder: () => ({ degraded: true, leftOut: ['ap'] }),
  };
  assert.equal('globalOrder' in (await readStreamState(sources, 's')), false);
  await state.setModes('s', { ordering: 'global' });
  assert.deepEqual((await readStreamState(sources, 's')).globalOrder, { degraded: true, leftOut: ['ap'] });
  const event: BusEvent = { kind: 'state', state: { globalOrder: { degraded: false, leftOut: [] } } };
  assert.deepStrictEqual(decodeBusEvent('s', encodeBusEvent(event)), event);
});
