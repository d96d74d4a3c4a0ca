import type { Metrics } from '../observability/metrics.ts';
import type { Channel } from './channel.ts';
import { FANOUT_CHUNK, type OwnWrite } from './chunked-write.ts';
import type { FlushFrame } from './flush-frames.ts';
import { planJoinerWrites } from './joiner-delivery.ts';
import { OutboundBatch, OutboundFrame, type Viewer } from './outbound-frame.ts';

/** What a rollout asks of its flush scheduler. */
export interface RolloutParts {
  metrics: Metrics;
  /** The channel's pending events as frames, with when their oldest line began to wait; none when nothing may go now. */
  cut(): { frames: FlushFrame[]; waitingSince: number | undefined };
  /** Ms until the next round may begin: the channel's window, counted from the last round's start. */
  untilNextRound(): number;
  /** The wall time (ms) one round's writes took. */
  roundCost(costMs: number): void;
  /** A cut's oldest line, waiting since `waitingSince` (ms since epoch), has been written to every viewer. */
  delivered(waitingSince: number): void;
  /** Every viewer has everything cut: the channel may flush anew. */
  done(): void;
}

/** A cut of the channel's pending events: frames every viewer gets once. */
interface Unit {
  id: number;
  frames: readonly FlushFrame[];
  waitingSince: number | undefined;
}

/**
 * A busy stream's fan-out, as rounds over its viewers, a chunk a turn. A
 * flush to 10,000 viewers takes many turns on a busy gateway; what arrives
 * meanwhile is cut at the next turn and written, in the same round, to the
 * viewers the round has not reached yet (with what they were due anyway:
 * still one write each), and to the others in the next round. So a line
 * waits at most about one round for any viewer, where a flush that took in
 * nothing until it had reached its last viewer made a line wait up to two
 * (BENCHMARKS.md). Each viewer gets every cut once and in order: it is
 * written everything after the newest cut it has had. A round begins no
 * sooner than the channel's flush window after the one before, as flushes
 * do, so a viewer is written at most once per window.
 */
export class Rollout {
  readonly #channel: Channel;
  readonly #p: RolloutParts;
  /** Cuts not yet written to every viewer, oldest first, with consecutive ids. */
  #units: Unit[] = [];
  #head = 0;
  /** The newest cut each viewer was written; a viewer missing here had everything before this rollout. */
  readonly #cursors = new Map<Viewer, number>();
  /** What a viewer at each cursor is written, up to #head: built once for all such viewers. */
  readonly #batches = new Map<number, OutboundBatch>();
  /** Joiners' own writes (join-handover's cut-down flushes), made before the round's next viewers. */
  #own: OwnWrite[] = [];
  #ownAt = 0;
  #round: Viewer[] = [];
  #at = 0;
  /** #head when the round began: every cut up to it reaches every viewer by the round's end. */
  #roundFrom = 0;
  #roundCostMs = 0;

  constructor(channel: Channel, parts: RolloutParts) {
    this.#channel = channel;
    this.#p = parts;
  }

  /** Begins the first round with the frames of the flush that started the rollout. */
  start(frames: FlushFrame[], waitingSince: number | undefined): void {
    this.#take(frames, waitingSince);
    this.#beginRound(false);
  }

  #beginRound(cut: boolean): void {
    const channel = this.#channel;
    if (cut) this.#cutPending();
    channel.lastFlushAt = performance.now();
    this.#round = [...channel.viewers.keys()];
    this.#at = 0;
    this.#roundFrom = this.#head;
    this.#roundCostMs = 0;
    if (this.#cursors.size > channel.viewers.size) {
      for (const viewer of this.#cursors.keys()) if (!channel.viewers.has(viewer)) this.#cursors.delete(viewer);
    }
    this.#turn(false);
  }

  #turn(cut: boolean): void {
    const started = performance.now();
    if (cut) this.#cutPending();
    let budget = FANOUT_CHUNK;
    for (; budget > 0 && this.#ownAt < this.#own.length; budget--) {
      const own = this.#own[this.#ownAt++]!;
      own.viewer.deliver(own.batch);
    }
    if (this.#ownAt === this.#own.length) {
      this.#own = [];
      this.#ownAt = 0;
    }
    this.#writeViewers(budget);
    this.#roundCostMs += performance.now() - started;
    if (this.#own.length > 0 || this.#at < this.#round.length) {
      setImmediate(() => this.#turn(true));
      return;
    }
    this.#endRound();
  }

  /** Writes the round's next viewers, up to `budget` of them, each what it has not had yet. */
  #writeViewers(budget: number): void {
    const channel = this.#channel;
    const head = this.#head;
    let writes = 0;
    let lines = 0;
    let frames = 0;
    const end = Math.min(this.#round.length, this.#at + budget);
    for (; this.#at < end; this.#at++) {
      const viewer = this.#round[this.#at]!;
      // A viewer that left during the round is not written (nor kept here).
      if (!channel.viewers.has(viewer)) {
        this.#cursors.delete(viewer);
        continue;
      }
      const cursor = this.#cursors.get(viewer) ?? 0;
      if (cursor === head) continue;
      const batch = this.#batchAfter(cursor);
      viewer.deliver(batch);
      this.#cursors.set(viewer, head);
      writes++;
      lines += batch.lines;
      frames += batch.frames.length;
    }
    const metrics = this.#p.metrics;
    if (writes === 0) return;
    if (lines > 0) metrics.deliveries.inc(lines);
    metrics.framesWritten.inc(frames);
    metrics.fanoutWrites.inc(writes);
  }

  #endRound(): void {
    this.#p.roundCost(this.#roundCostMs);
    let done = 0;
    for (const unit of this.#units) {
      if (unit.id > this.#roundFrom) break;
      if (unit.waitingSince !== undefined) this.#p.delivered(unit.waitingSince);
      done++;
    }
    this.#units = this.#units.slice(done);
    this.#batches.clear();
    if (this.#head === this.#roundFrom) {
      this.#p.done();
      return;
    }
    // Some viewers have not had what was cut during the round: another round, in the channel's window.
    setTimeout(() => this.#beginRound(true), Math.max(0, this.#p.untilNextRound())).unref();
  }

  #cutPending(): void {
    const { frames, waitingSince } = this.#p.cut();
    if (frames.length > 0) this.#take(frames, waitingSince);
  }

  /** A new cut: joiners get their share of it now (join-handover), the viewers from the round. */
  #take(frames: FlushFrame[], waitingSince: number | undefined): void {
    const id = ++this.#head;
    this.#units.push({ id, frames, waitingSince });
    this.#batches.clear();
    const batch = new OutboundBatch(frames.map((f) => f.frame));
    this.#batches.set(id - 1, batch);
    const channel = this.#channel;
    if (channel.joiners.size === 0) return;
    for (const own of planJoinerWrites(channel, frames, batch, this.#p.metrics)) {
      this.#own.push(own);
      // Promoted by this cut: the rounds write it what comes after.
      if (channel.viewers.has(own.viewer)) this.#cursors.set(own.viewer, id);
    }
  }

  /** Every cut after `cursor`, adjacent runs of lines joined into one frame. */
  #batchAfter(cursor: number): OutboundBatch {
    let batch = this.#batches.get(cursor);
    if (batch !== undefined) return batch;
    const out: OutboundFrame[] = [];
    let run: FlushFrame[] = [];
    const endRun = (): void => {
      if (run.length === 1) out.push(run[0]!.frame);
      if (run.length > 1) {
        const messages = run.flatMap((f) => f.messages!);
        out.push(new OutboundFrame({ kind: 'msgs', stream: this.#channel.stream, messages }, messages.length, messages[messages.length - 1]!.seq));
      }
      run = [];
    };
    const first = Math.max(0, cursor + 1 - this.#units[0]!.id);
    for (let i = first; i < this.#units.length; i++) {
      for (const flushFrame of this.#units[i]!.frames) {
        if (flushFrame.frame.content.kind === 'msgs') {
          run.push(flushFrame);
        } else {
          endRun();
          out.push(flushFrame.frame);
        }
      }
    }
    endRun();
    batch = new OutboundBatch(out);
    this.#batches.set(cursor, batch);
    return batch;
  }
}
