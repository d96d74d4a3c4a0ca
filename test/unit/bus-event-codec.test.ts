import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { decodeBusEvent, encodeBusEvent, splitAroundSeq } from '../../src/bus/bus-event-codec.ts';
import type { Message } from '../../src/protocol/types.ts';

const base: Message = { id: 'm1', stream: 's1', seq: 7, ts: 1_700_000_000_000, user: { id: 'u1', name: 'Ann', badges: ['vip'] }, text: 'hi "there" \u2028 👋' };

const events: BusEvent[] = [
  { kind: 'msg', message: base },
  { kind: 'msg', message: { ...base, user: { ...base.user, color: '#ff0000' } } },
  { kind: 'msg', message: { ...base, emotes: [{ name: 'Kappa', start: 0, end: 5 }] } },
  { kind: 'msg', message: { ...base, user: { ...base.user, color: '#00ff00' }, emotes: [] } },
  // Replies, announcements and notices (extensions), with and without colour and emotes.
  { kind: 'msg', message: { ...base, reply: { id: 'p1', user: { id: 'u2', name: 'Bo' }, text: 'q', thread: { id: 'p0', user: { id: 'u3', name: 'Cy' } } } } },
  { kind: 'msg', message: { ...base, user: { ...base.user, color: '#0000ff' }, announcement: 'orange' } },
  { kind: 'msg', message: { ...base, emotes: [{ name: 'Kappa', start: 0, end: 5 }], announcement: 'blue', reply: { id: 'p1', user: { id: 'u2', name: 'Bo' }, text: 'q', thread: { id: 'p1', user: { id: 'u2', name: 'Bo' } } } } },
  { kind: 'msg', message: { ...base, text: '', notice: { kind: 'subgift', system: 'Ann gifted a sub', recipient: { id: 'u4', name: 'Di' }, plan: '2000' } } },
  // Multi-region lines (origin) with and without the extensions after it.
  { kind: 'msg', message: { ...base, origin: 'eu' } },
  { kind: 'msg', message: { ...base, announcement: 'green', origin: 'us' } },
  { kind: 'msg', message: { ...base, user: { ...base.user, color: '#123456' }, reply: { id: 'p1', user: { id: 'u2', name: 'Bo' }, text: 'q', thread: { id: 'p1', user: { id: 'u2', name: 'Bo' } } }, origin: 'eu' } },
  { kind: 'state', state: { pinned: null } },
  { kind: 'state', state: { pinned: { message: base, by: { id: 'm', name: 'Mo' }, at: 5, until: 10 } } },
  { kind: 'retract', ids: ['a', 'b'], reason: 'deleted' },
  { kind: 'retract', ids: ['a'], reason: 'deleted', by: { id: 'm', name: 'Mo' } },
  { kind: 'clearAll' },
  { kind: 'warned', user: 'u2', reason: 'be "nice"' },
  { kind: 'restricted', message: { ...base, seq: 0 } },
  { kind: 'restricted', message: { ...base, seq: 0, user: { ...base.user, color: '#abcdef' }, emotes: [{ name: 'Kappa', start: 0, end: 5 }], first: true } },
  { kind: 'clear', user: 'u2', reason: 'ban' },
  { kind: 'clear', user: 'u2', reason: 'timeout', seconds: 60 },
  { kind: 'state', state: { viewers: 3 } },
  // An audit log entry, with and without its optional fields.
  { kind: 'modlog', entry: { cursor: 0, stream: 's1', ts: 5, seq: 0, actor: { id: 'm', name: 'Mo' }, action: 'unpin' } },
  { kind: 'modlog', entry: { action: 'ban', user: { id: 'u2', name: 'Bo' }, message: 'm1', reason: 'spam "bot"', detail: 'x', cursor: 9, stream: 's1', ts: 5, seq: 7, actor: { id: 'm', name: 'Mo' } } },
];

test('every kind of event decodes to exactly what was encoded, with no absent field added', () => {
  for (const event of events) assert.deepStrictEqual(decodeBusEvent('s1', encodeBusEvent(event)), event);
});

test('a payload split around its seq and joined with the seq equals the stamped message\'s payload', () => {
  for (const event of events) {
    if (event.kind !== 'msg') continue;
    const { seq, ...draft } = event.message;
    const [before, after] = splitAroundSeq(draft);
    assert.equal(`${before}${seq}${after}`, encodeBusEvent(event));
  }
});

test('a chat message costs little more than its text', () => {
  const encoded = encodeBusEvent({ kind: 'msg', message: base });
  assert.ok(encoded.length < JSON.stringify(base).length * 0.75, encoded);
  assert.ok(!encoded.includes('s1'), 'the stream travels as the channel, not in the payload');
});

test('an unknown kind is an error, not a silent wrong event', () => {
  assert.throws(() => decodeBusEvent('s1', '[99,"x"]'), /unknown bus event kind 99/);
  assert.throws(() => decodeBusEvent('s1', 'not json'));
});
