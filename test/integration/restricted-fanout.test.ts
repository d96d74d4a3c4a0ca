// A restricted user's line stays off the shared fan-out: the batch every
// viewer is handed (the same object, encoded once) never holds it; the
// stream's moderators and the author's own connection get it in a batch of
// its own, through the moderator-only path. And a stream-wide clear is a
// frame of the shared batch, which empties the chat delay's held lines.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { JOIN_LIVE, message, openTestHub, RecordingViewer, type TestHub } from '../support/stream-hub.ts';
import { until } from '../support/until.ts';
import { v1Json } from '../../src/protocol/v1-shared-frames.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';
import type { OutboundBatch, Viewer } from '../../src/fanout/outbound-frame.ts';

const STREAM = 'shadow';
const dir = tempDir();
const hubs: TestHub[] = [];
after(async () => {
  for (const hub of hubs) await hub.close();
  removeDir(dir);
});

/** A signed-in viewer known by its user id, as a session is; keeps every batch it is handed. */
class SignedInViewer implements Viewer {
  readonly signedIn = true;
  readonly batches: OutboundBatch[] = [];
  readonly viewerId: string;
  lines = 0;

  constructor(userId: string) {
    this.viewerId = userId;
  }

  deliver(batch: OutboundBatch): void {
    this.batches.push(batch);
    this.lines += batch.lines;
  }
}

const framesOf = (batch: OutboundBatch) => batch.frames.map((f) => JSON.parse(f.formIn(v1Json)) as { type: string; id?: string; text?: string; msgs?: Array<{ id: string }> });
const idsIn = (batch: OutboundBatch) => framesOf(batch).flatMap((f) => (f.type === 'batch' ? f.msgs!.map((m) => m.id) : f.id !== undefined ? [f.id] : []));

test('a restricted line reaches the moderator and the author only, never in the batch shared with viewers', async () => {
  const opened = await openTestHub(`${dir}/restricted`);
  hubs.push(opened);
  const { hub, bus } = opened;
  const viewer = new RecordingViewer(1);
  const moderator = new SignedInViewer('mod1');
  const author = new SignedInViewer('shadowed');
  await hub.join(STREAM, viewer, JOIN_LIVE, () => {});
  await hub.join(STREAM, moderator, { ...JOIN_LIVE, moderator: true }, () => {});
  await hub.join(STREAM, author, JOIN_LIVE, () => {});

  // A first line makes every joiner an ordinary viewer (a joiner's first flush is cut to what it lacks).
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 1) });
  await until(() => viewer.lines === 1 && moderator.lines === 1 && author.lines === 1, 'the first line everywhere');
  const seen = [viewer, moderator, author].map((v) => v.batches.length);
  const since = (v: { batches: OutboundBatch[] }, i: number) => v.batches.slice(seen[i]);

  const restricted = { ...message(STREAM, 0), id: 'r1', text: 'only mods see this', user: { id: 'shadowed', name: 'shadowed', badges: [] } };
  await bus.publish(STREAM, { kind: 'restricted', message: restricted });
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 2) });
  await until(() => viewer.lines === 2 && moderator.lines === 2 && author.lines === 2, 'the second line everywhere');

  // The viewer's batch is the very object the others got: one shared form, without the restricted line.
  const shared = since(viewer, 0);
  assert.equal(shared.length, 1);
  for (const [i, who] of [moderator, author].entries()) {
    const got = since(who, i + 1);
    assert.ok(got.includes(shared[0]!), 'the same shared batch');
    const own = got.filter((b) => b !== shared[0]);
    assert.deepEqual(own.map(framesOf).map((frames) => frames.map((f) => [f.type, f.id, f.text])), [[['restricted', 'r1', 'only mods see this']]]);
  }
  assert.deepEqual(idsIn(shared[0]!), ['m2'], 'the shared batch holds the viewers\' line only');
  assert.ok(!viewer.batches.some((b) => idsIn(b).includes('r1')));
});

test('a stream-wide clear reaches every viewer in the shared batch and drops the lines the chat delay still holds', async () => {
  const opened = await openTestHub(`${dir}/clear`);
  hubs.push(opened);
  const { hub, bus } = opened;
  const viewer = new RecordingViewer(1);
  const moderator = new SignedInViewer('mod1');
  await hub.join(STREAM, viewer, JOIN_LIVE, () => {});
  await hub.join(STREAM, moderator, { ...JOIN_LIVE, moderator: true }, () => {});
  await bus.publish(STREAM, { kind: 'state', state: { modes: { ...DEFAULT_MODES, chatDelaySeconds: 1 } } });
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 1) });
  await until(() => moderator.lines === 1, 'the moderator gets the line at once');
  await bus.publish(STREAM, { kind: 'clearAll' });
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 2) });
  await until(() => viewer.lines === 1, 'the line after the clear, after the delay', 5_000);
  const types = viewer.batches.flatMap(framesOf).map((f) => f.type).filter((t) => t !== 'state');
  assert.deepEqual(types, ['clear', 'msg'], 'the held line never reached the delayed viewer; the clear did');
  assert.ok(!viewer.batches.some((b) => idsIn(b).includes('m1')));
  assert.ok(moderator.batches.flatMap(framesOf).some((f) => f.type === 'clear'));
});
