// A flush to a big stream takes many turns; what arrives meanwhile goes in
// the same round to the viewers it has not reached yet (src/fanout/rollout.ts),
// so a line waits about one round for any viewer instead of up to two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Channel } from '../../src/fanout/channel.ts';
import { FlushScheduler } from '../../src/fanout/flush-scheduler.ts';
import type { OutboundBatch, Viewer } from '../../src/fanout/outbound-frame.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { DEFAULT_MODES, type Message } from '../../src/protocol/types.ts';

const message = (seq: number): Message => ({ id: `m${seq}`, stream: 's', seq, ts: Date.now(), user: { id: 'u', name: 'u', badges: [] }, text: 't' });

/** The seqs of the lines in each write a viewer was handed. */
type Writes = number[][];

function seqsOf(batch: OutboundBatch): number[] {
  const seqs: number[] = [];
  for (const frame of batch.frames) if (frame.content.kind === 'msgs') for (const m of frame.content.messages) seqs.push(m.seq);
  return seqs;
}

function setUp(viewers: number) {
  const channel = new Channel('s', 100, { viewers, modes: { ...DEFAULT_MODES }, rate: { perSecond: 0, sampling: false, keepRatio: 1 } });
  const writes = new Map<string, Writes>();
  const viewerNamed = (id: string): Viewer => {
    writes.set(id, []);
    return { viewerId: id, signedIn: false, deliver: (batch) => writes.get(id)!.push(seqsOf(batch)) };
  };
  for (let i = 0; i < viewers; i++) channel.viewers.set(viewerNamed(`v${i}`), `v${i}`);
  const delays: number[] = [];
  const scheduler = new FlushScheduler({ metrics: new Metrics(), maxFlushMs: 500, stateIntervalMs: 1_000, sampling: { observeFanoutDelay: (_s, ms) => delays.push(ms) } });
  const arrive = (seq: number): void => {
    channel.pending.push({ kind: 'msg', message: message(seq) });
    channel.waitingSince ??= Date.now();
  };
  return { channel, writes, viewerNamed, scheduler, arrive, delays };
}

async function settle(channel: Channel): Promise<void> {
  // Rounds after the first wait for the flush window (a few times what a round cost): bounded, never blind.
  for (let i = 0; i < 3_000 && channel.delivering; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal(channel.delivering, false, 'the fan-out finished');
}

test('a line arriving during a flush to 3,000 viewers reaches the 2,000 not yet written in the same write, the first 1,000 in the next round', async () => {
  const { channel, writes, scheduler, arrive, delays } = setUp(3_000);
  arrive(1);
  scheduler.flush(channel);
  // The first turn wrote line 1 to the first 1,000 viewers; line 2 arrives before the next turn.
  arrive(2);
  await settle(channel);

  for (let i = 0; i < 3_000; i++) {
    const got = writes.get(`v${i}`)!;
    if (i < 1_000) assert.deepEqual(got, [[1], [2]], `v${i}: line 1 in the first round, line 2 in the next`);
    else assert.deepEqual(got, [[1, 2]], `v${i}: both lines in one write, in one frame`);
  }
  assert.equal(delays.length, 2, 'each cut is timed once, when every viewer has it');
});

test('every viewer gets every line once and in order while lines keep arriving and a joiner is promoted midway', async () => {
  const { channel, writes, viewerNamed, scheduler, arrive } = setUp(2_500);
  arrive(1);
  scheduler.flush(channel);
  const joiner = viewerNamed('j');
  // Its history reached seq 2: line 2 must not reach it again, line 3 is its first.
  channel.joiners.set(joiner, { viewerId: 'j', floor: 2 });
  for (let seq = 2; seq <= 6; seq++) {
    arrive(seq);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await settle(channel);

  for (const [id, got] of writes) {
    const seqs = got.flat();
    assert.deepEqual(seqs, id === 'j' ? [3, 4, 5, 6] : [1, 2, 3, 4, 5, 6], `${id}: each line once, in order`);
    assert.ok(got.length <= 4, `${id}: one write per round at most (${got.length} writes)`);
  }
  assert.equal(channel.joiners.size, 0, 'the joiner was promoted');
});

test('a viewer that leaves during a round is not written again', async () => {
  const { channel, writes, scheduler, arrive } = setUp(2_000);
  arrive(1);
  scheduler.flush(channel);
  const last = [...channel.viewers.keys()].at(-1)!;
  channel.viewers.delete(last);
  await settle(channel);
  assert.deepEqual(writes.get('v1999'), []);
  assert.deepEqual(writes.get('v1998'), [[1]]);
});
