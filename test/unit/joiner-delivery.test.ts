// A joiner's share of a flush (src/fanout/joiner-delivery.ts): what it has not
// had yet, and the flush's own batch when nothing is cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Channel } from '../../src/fanout/channel.ts';
import type { FlushFrame } from '../../src/fanout/flush-frames.ts';
import { planJoinerWrites } from '../../src/fanout/joiner-delivery.ts';
import { OutboundBatch, OutboundFrame, type Viewer } from '../../src/fanout/outbound-frame.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { DEFAULT_MODES, type Message } from '../../src/protocol/types.ts';

const message = (seq: number): Message => ({ id: `m${seq}`, stream: 's', seq, ts: seq, user: { id: 'u', name: 'u', badges: [] }, text: 't' });
const lines = (...seqs: number[]): FlushFrame => {
  const messages = seqs.map(message);
  return { frame: new OutboundFrame({ kind: 'msgs', stream: 's', messages }, messages.length, seqs.at(-1)), messages };
};
const state: FlushFrame = { frame: new OutboundFrame({ kind: 'state', stream: 's', state: { viewers: 1, modes: { ...DEFAULT_MODES }, rate: { perSecond: 0, sampling: false, keepRatio: 1 } }, changedModes: [] }, 0, undefined) };

/** A channel with one joiner whose history reached `floor`, the batches planned for it, and the flush's whole batch. */
function joinerAt(floor: number, frames: FlushFrame[]): { channel: Channel; got: OutboundBatch[]; whole: OutboundBatch; viewer: Viewer } {
  const channel = new Channel('s', 100, { viewers: 1, modes: { ...DEFAULT_MODES }, rate: { perSecond: 0, sampling: false, keepRatio: 1 } });
  const viewer: Viewer = { viewerId: 'v', signedIn: false, deliver: () => assert.fail('planned, not written') };
  channel.joiners.set(viewer, { viewerId: 'v', floor });
  const whole = new OutboundBatch(frames.map((f) => f.frame));
  const writes = planJoinerWrites(channel, frames, whole, new Metrics());
  assert.ok(writes.every((w) => w.viewer === viewer));
  const got = writes.map((w) => w.batch);
  return { channel, got, whole, viewer };
}

const seqsOf = (batch: OutboundBatch): number[] => batch.frames.flatMap((f) => (f.content.kind === 'msgs' ? f.content.messages.map((m) => m.seq) : []));

test('a joiner with nothing to cut is handed the flush\'s own batch, built once for everyone', () => {
  const quiet = joinerAt(5, [state]);
  assert.equal(quiet.got.length, 1);
  assert.equal(quiet.got[0], quiet.whole, 'a state-only flush: the same batch object');
  assert.ok(quiet.channel.joiners.has(quiet.viewer), 'no newer line yet: still a joiner');

  const newer = joinerAt(5, [lines(6, 7), state]);
  assert.equal(newer.got[0], newer.whole, 'every line newer than its history: the same batch object');
  assert.ok(!newer.channel.joiners.has(newer.viewer) && newer.channel.viewers.has(newer.viewer), 'caught up: an ordinary viewer');
});

test('a joiner gets only the lines its history did not have, and nothing when it had them all', () => {
  const partly = joinerAt(5, [lines(4, 5, 6, 7), state, lines(8)]);
  assert.equal(partly.got.length, 1);
  assert.notEqual(partly.got[0], partly.whole);
  assert.deepEqual(seqsOf(partly.got[0]!), [6, 7, 8]);
  assert.equal(partly.got[0]!.frames.length, 3, 'the state frame too');
  assert.ok(partly.channel.viewers.has(partly.viewer));

  const had = joinerAt(9, [lines(8, 9)]);
  assert.deepEqual(had.got, [], 'lines it already had: nothing written');
  assert.ok(had.channel.joiners.has(had.viewer));

  const older = joinerAt(9, [lines(8), state]);
  assert.equal(older.got.length, 1);
  assert.deepEqual(older.got[0]!.frames.map((f) => f.content.kind), ['state'], 'the old line cut, the state frame kept');
});
