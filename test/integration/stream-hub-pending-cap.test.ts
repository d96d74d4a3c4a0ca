// A stream's events waiting for its next flush are bounded: while a big
// fan-out is being written (1,000 viewers per loop turn), lines that arrive
// beyond the bound are dropped for this gateway's viewers and counted, the
// order of what is kept is unchanged, and delivery goes on once it drains.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { JOIN_LIVE, message, openTestHub, RecordingViewer, type TestHub } from '../support/stream-hub.ts';
import { until } from '../support/until.ts';

const STREAM = 'capped';
const VIEWERS = 1_500; // more than one fan-out chunk, so the fan-out spans loop turns
const BOUND = 10_000; // MAX_PENDING in stream-hub.ts
const OVER = 100;
const dir = tempDir();
// Closed after the test whatever it did, so a failure cannot leave the log's writer thread running.
let opened: TestHub | undefined;
after(async () => {
  await opened?.close();
  removeDir(dir);
});

test('lines beyond the bound of waiting events are dropped while a fan-out is written, counted, and delivery goes on', async () => {
  const { hub, bus, metrics } = (opened = await openTestHub(dir));
  const viewers = Array.from({ length: VIEWERS }, (_, i) => new RecordingViewer(i));
  for (const viewer of viewers) await hub.join(STREAM, viewer, JOIN_LIVE, () => {});
  const first = viewers[0]!;
  const last = viewers[VIEWERS - 1]!;

  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 1) });
  await until(() => last.lines === 1, 'the first line everywhere');

  // While the next line's fan-out is half written, a burst arrives: more than the bound.
  first.onBatch = (batch) => {
    if (batch.frames.at(-1)?.lastSeq !== 2) return;
    first.onBatch = () => {};
    for (let seq = 3; seq < 3 + BOUND + OVER; seq++) void bus.publish(STREAM, { kind: 'msg', message: message(STREAM, seq) });
  };
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, 2) });
  await until(() => last.lines === 2 + BOUND, 'the kept part of the burst everywhere');
  assert.equal(last.lastSeq, 2 + BOUND, 'the oldest lines of the burst are kept, the newest dropped');
  const dropped = (await metrics.registry.getSingleMetric('chorus_fanout_dropped_total')!.get()).values[0]!.value;
  assert.equal(dropped, OVER);

  // Drained: the next line goes out as usual.
  const next = 3 + BOUND + OVER;
  await bus.publish(STREAM, { kind: 'msg', message: message(STREAM, next) });
  await until(() => last.lastSeq === next, 'a line after the burst');
  assert.ok(viewers.every((v) => v.lines === 3 + BOUND && v.lastSeq === next));
});
