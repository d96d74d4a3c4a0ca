// A stream's events waiting for its next flush are bounded: while a big
// fan-out is being written (1,000 viewers per loop turn), lines that arrive
// beyond the bound are dropped for this gateway's viewers and counted, the
// order of what is kept is unchanged, and delivery goes on once it drains.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { StreamHub } from '../../src/gateway/stream-hub.ts';
import type { OutboundFrame, Viewer } from '../../src/gateway/outbound-frame.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import type { Message } from '../../src/protocol/types.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import { ExactViewerCounter } from '../../src/viewers/exact-viewer-count.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const STREAM = 'capped';
const VIEWERS = 1_500; // more than one fan-out chunk, so the fan-out spans loop turns
const BOUND = 10_000; // MAX_PENDING in stream-hub.ts
const OVER = 100;
const dir = tempDir();
// Closed after the test whatever it did, so a failure cannot leave the log's writer thread running.
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  removeDir(dir);
});

function message(seq: number): Message {
  return { id: `m${seq}`, stream: STREAM, seq, ts: Date.now(), user: { id: 'u1', name: 'alice', color: '#ffffff', badges: [] }, text: `line ${seq}` };
}

class CountingViewer implements Viewer {
  readonly viewerId: string;
  lines = 0;
  lastSeq = 0;
  onFrame: (frame: OutboundFrame) => void = () => {};
  constructor(id: number) {
    this.viewerId = `v${id}`;
  }
  deliver(frame: OutboundFrame): void {
    this.lines += frame.lines;
    if (frame.lastSeq !== undefined) {
      assert.ok(frame.lastSeq > this.lastSeq, 'lines arrive in seq order');
      this.lastSeq = frame.lastSeq;
    }
    this.onFrame(frame);
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('lines beyond the bound of waiting events are dropped while a fan-out is written, counted, and delivery goes on', async () => {
  const log = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 1_000 });
  const state = new MemoryState({ loadLastSeq: async () => 0 });
  const bus = new MemoryBus();
  closers.push(() => log.close(), () => state.close(), () => bus.close());
  const metrics = new Metrics();
  const hub = new StreamHub({
    bus, log, state, metrics,
    viewers: new ExactViewerCounter(),
    currentRate: () => ({ perSecond: 0, sampling: false, keepRatio: 1 }),
    onFanoutDelay: () => {},
    maxFlushMs: 0,
    stateIntervalMs: 60_000,
    windowSize: 100,
    onError: (err) => assert.fail(err as Error),
  });
  closers.push(() => hub.close());
  const viewers = Array.from({ length: VIEWERS }, (_, i) => new CountingViewer(i));
  for (const viewer of viewers) await hub.join(STREAM, viewer, { history: 0, since: undefined, resumeMax: 0 }, () => {});
  const first = viewers[0]!;
  const last = viewers[VIEWERS - 1]!;

  await bus.publish(STREAM, { kind: 'msg', message: message(1) });
  await until(() => last.lines === 1, 'the first line everywhere');

  // While the next line's fan-out is half written, a burst arrives: more than the bound.
  first.onFrame = (frame) => {
    if (frame.lastSeq !== 2) return;
    first.onFrame = () => {};
    for (let seq = 3; seq < 3 + BOUND + OVER; seq++) void bus.publish(STREAM, { kind: 'msg', message: message(seq) });
  };
  await bus.publish(STREAM, { kind: 'msg', message: message(2) });
  await until(() => last.lines === 2 + BOUND, 'the kept part of the burst everywhere');
  assert.equal(last.lastSeq, 2 + BOUND, 'the oldest lines of the burst are kept, the newest dropped');
  const dropped = (await metrics.registry.getSingleMetric('chorus_fanout_dropped_total')!.get()).values[0]!.value;
  assert.equal(dropped, OVER);

  // Drained: the next line goes out as usual.
  const next = 3 + BOUND + OVER;
  await bus.publish(STREAM, { kind: 'msg', message: message(next) });
  await until(() => last.lastSeq === next, 'a line after the burst');
  assert.ok(viewers.every((v) => v.lines === 3 + BOUND && v.lastSeq === next));
});
