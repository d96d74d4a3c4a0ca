// The frames of one flush (lines, a retraction between them, the stream's
// state) reach each viewer as one batch, written once; a viewer that joins
// just before such a flush gets all of it, cut down to what it lacks.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { JOIN_LIVE, message, openTestHub, RecordingViewer, type TestHub } from '../support/stream-hub.ts';
import { until } from '../support/until.ts';
import { v1Json } from '../../src/protocol/v1-shared-frames.ts';
import { wsBatchBytes, wsFrameBytes } from '../../src/transports/ws/ws-encoding.ts';
import { sseBatchEvents, sseEvent } from '../../src/transports/sse/sse-encoding.ts';

const STREAM = 'batched';
const dir = tempDir();
const hubs: TestHub[] = [];
after(async () => {
  for (const hub of hubs) await hub.close();
  removeDir(dir);
});

const typesOf = (viewer: RecordingViewer): string[][] => viewer.batches.map((b) => b.frames.map((f) => JSON.parse(f.formIn(v1Json)).type as string));

test('lines, a retraction and the state of one flush go to a viewer as one write', async () => {
  const opened = await openTestHub(`${dir}/one`, { stateIntervalMs: 100 });
  hubs.push(opened);
  const { hub, bus } = opened;
  const viewer = new RecordingViewer(1);
  await hub.join(STREAM, viewer, JOIN_LIVE, () => {});

  void bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 1) });
  void bus.publish(STREAM, { kind: 'retract', ids: ['m1'], reason: 'moderator' });
  void bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 2) });
  void bus.publish(STREAM, { kind: 'state', state: { viewers: 7 } });
  await until(() => viewer.lines === 2, 'both lines');
  await new Promise((resolve) => setTimeout(resolve, 50));

  assert.deepEqual(typesOf(viewer), [['msg', 'retract', 'msg', 'state']]);
  const [batch] = viewer.batches;
  assert.deepEqual(batch!.formIn(wsBatchBytes), Buffer.concat(batch!.frames.map((f) => f.formIn(wsFrameBytes))), 'the complete frames back to back');
  assert.equal(batch!.formIn(sseBatchEvents), batch!.frames.map((f) => f.formIn(sseEvent)).join(''));
});

test('a viewer that joined just before a flush gets every frame of it, then the next ones', async () => {
  const opened = await openTestHub(`${dir}/two`);
  hubs.push(opened);
  const { hub, bus } = opened;
  const early = new RecordingViewer(1);
  await hub.join(STREAM, early, JOIN_LIVE, () => {});
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 1) });
  await until(() => early.lines === 1, 'the first line');

  const joiner = new RecordingViewer(2);
  let joinedSeq = -1;
  await hub.join(STREAM, joiner, JOIN_LIVE, (result) => (joinedSeq = result.seq));
  assert.equal(joinedSeq, 1);
  // One flush with lines on both sides of a retraction: the joiner's first new line is in its first frame.
  void bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 2) });
  void bus.publish(STREAM, { kind: 'retract', ids: ['m2'], reason: 'moderator' });
  void bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 3) });
  await until(() => early.lines === 3, 'the flush at the early viewer');
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 4) });
  await until(() => early.lines === 4 && joiner.lines === 3, 'the next line at both');

  assert.deepEqual(typesOf(joiner), [['msg', 'retract', 'msg'], ['msg']]);
  assert.equal(joiner.lastSeq, 4);
  assert.deepEqual(typesOf(early), [['msg'], ['msg', 'retract', 'msg'], ['msg']]);
});

test('a global order that degrades is shown at once, not at the next state tick', async () => {
  const opened = await openTestHub(`${dir}/global-order`, { stateIntervalMs: 60_000 });
  hubs.push(opened);
  const { hub, bus } = opened;
  const viewer = new RecordingViewer(1);
  await hub.join(STREAM, viewer, JOIN_LIVE, () => {});
  const states = (): Array<Record<string, unknown>> => viewer.batches.flatMap((b) => b.frames.map((f) => JSON.parse(f.formIn(v1Json)) as Record<string, unknown>)).filter((f) => f.type === 'state');
  // A state frame goes out now; the next ordinary one only a minute later.
  await bus.publish(STREAM, { kind: 'state', state: { viewers: 7 } });
  await until(() => states().length === 1, 'the first state frame');
  await bus.publish(STREAM, { kind: 'state', state: { globalOrder: { degraded: true, leftOut: ['ap'] } } });
  await until(() => states().length === 2, 'the degraded global order', 5_000);
  assert.deepEqual(states()[1]!.globalOrder, { degraded: true, leftOut: ['ap'] });
});
