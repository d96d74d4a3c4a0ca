// A StreamHub on the embedded parts (memory bus and state, SQLite log) with
// viewers that record what they are handed: for tests of the fan-out itself,
// below the sockets.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { StreamHub, type StreamHubOptions } from '../../src/fanout/stream-hub.ts';
import type { OutboundBatch, Viewer } from '../../src/fanout/outbound-frame.ts';
import { SqliteLog } from '../../src/log/sqlite-log.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import type { Message } from '../../src/protocol/types.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import { ExactViewerCounter } from '../../src/viewers/exact-viewer-count.ts';

export function message(stream: string, seq: number): Message {
  return { id: `m${seq}`, stream, seq, ts: Date.now(), user: { id: 'u1', name: 'alice', color: '#ffffff', badges: [] }, text: `line ${seq}` };
}

/** Counts lines, checks they come in seq order, keeps every batch it was handed. */
export class RecordingViewer implements Viewer {
  readonly viewerId: string;
  readonly signedIn = false;
  readonly batches: OutboundBatch[] = [];
  lines = 0;
  lastSeq = 0;
  onBatch: (batch: OutboundBatch) => void = () => {};

  constructor(id: number) {
    this.viewerId = `v${id}`;
  }

  deliver(batch: OutboundBatch): void {
    this.batches.push(batch);
    this.lines += batch.lines;
    for (const frame of batch.frames) {
      if (frame.lastSeq === undefined) continue;
      assert.ok(frame.lastSeq > this.lastSeq, 'lines arrive in seq order');
      this.lastSeq = frame.lastSeq;
    }
    this.onBatch(batch);
  }
}

export interface TestHub {
  hub: StreamHub;
  bus: MemoryBus;
  metrics: Metrics;
  close(): Promise<void>;
}

/** A hub in `dir`; `options` override the defaults (a zero flush window, no state frames for a minute). */
export async function openTestHub(dir: string, options: Partial<StreamHubOptions> = {}): Promise<TestHub> {
  const log = await SqliteLog.open({ path: join(dir, 'chorus.db'), retentionMs: 3_600_000, maxMessagesPerStream: 1_000 });
  const state = new MemoryState();
  const bus = new MemoryBus();
  const metrics = new Metrics();
  const hub = new StreamHub({
    bus, state, metrics,
    broker: new EmbeddedBroker(log, bus, { onPublishError: (err) => assert.fail(err as Error) }),
    viewers: new ExactViewerCounter(),
    sampling: { rateOf: () => ({ perSecond: 0, sampling: false, keepRatio: 1 }), observeFanoutDelay: () => {} },
    maxFlushMs: 0,
    stateIntervalMs: 60_000,
    windowSize: 100,
    onError: (err) => assert.fail(err as Error),
    ...options,
  });
  return {
    hub, bus, metrics,
    async close() {
      await hub.close();
      await bus.close();
      await state.close();
      await log.close();
    },
  };
}

export const JOIN_LIVE = { history: 0, since: undefined, resumeMax: 0 } as const;
