import { stamped, type Draft } from '../broker/broker.ts';
import type { ClusterBroker } from '../broker/cluster-broker.ts';
import { partitionOf } from '../log/kafka/records.ts';
import type { RegionLog } from '../log/log.ts';
import type { GlobalOrderState, Message } from '../protocol/types.ts';
import { GlobalOrder } from './global-order.ts';
import { formatHlc, type Hlc, type HybridClock } from './hlc.ts';

export interface GlobalStreamsOptions {
  region: string;
  peers: readonly string[];
  holdMaxMs: number;
  maxHeld: number;
  clock: HybridClock;
  log: RegionLog;
  /** Where a released line enters this region's order: a local one is published, a remote one admitted once. */
  order: Pick<ClusterBroker, 'publish' | 'admit'>;
  /** How long a remote line's once-key lives (src/regions/remote-lines.ts). */
  onceMs: number;
  /** A stream's global order was degraded, or is whole again. */
  onState: (stream: string, state: GlobalOrderState) => void;
  /**
   * A degraded moment is told for at least this long (the state interval):
   * state frames go at most once per interval, and one shorter moment would
   * end before any frame carried it, though lines left its order then.
   */
  degradedShownMs: number;
  now?: () => number;
}

/** A line in the merger, with the promise of whoever handed it in. */
interface Waiting {
  draft: Draft;
  local: boolean;
  /** A local line is released only once its held record is durable; a remote one already is. */
  durable: Promise<unknown>;
  done: Promise<Message | undefined>;
  resolve: (message: Message | undefined) => void;
  reject: (err: unknown) => void;
}

interface StreamOrder {
  order: GlobalOrder<Waiting>;
  /** Held lines by id: a line handed in twice shares the first one's promise. */
  waiting: Map<string, Waiting>;
  /** Released lines ask for their seq one after another, so this region's seqs follow the released order. */
  chain: Promise<void>;
  /** The partition of the stream in the peers' topics, for their watermarks (they all have this many partitions). */
  partition: { of: number; n: number } | undefined;
  lastLineAt: number;
  /** What `state` says and the last `onState` told, and its JSON to compare. */
  shown: GlobalOrderState;
  shownJson: string;
  /** When the order was last seen degraded. */
  degradedAt: number;
}

// A stream in global order with no line for this long is forgotten (its merger
// and its heartbeats stop): a stream's chat that went quiet costs nothing.
const IDLE_MS = 60_000;
const WHOLE: GlobalOrderState = { degraded: false, leftOut: [] };

/**
 * The global order of this gateway's streams in `modes.ordering: global`
 * (docs/regions.md, "Global"): one merger per stream takes this region's
 * lines and the peers', and only what it releases enters this region's
 * order (its seq, the local bus, the log). A local line is first stored as
 * held (mirrored to the peers at once), then held; its sender's promise
 * resolves once it is released and stored with its seq.
 */
export class GlobalStreams {
  readonly #o: GlobalStreamsOptions;
  readonly #now: () => number;
  readonly #streams = new Map<string, StreamOrder>();
  /** Released lines on their way into this region's order (shutdown waits for them). */
  readonly #entering = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: GlobalStreamsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Some stream here is in global order: the region sends heartbeats. */
  get active(): boolean {
    return this.#streams.size > 0;
  }

  /** The stream's state for `state.globalOrder`; whole for a stream that has no merger yet. */
  state(stream: string): GlobalOrderState {
    return this.#streams.get(stream)?.shown ?? WHOLE;
  }

  /** A line sent here: stamped, stored as held, held; resolves once it is in this region's order. */
  local(draft: Draft): Promise<Message> {
    const hlc = this.#o.clock.now();
    const line: Draft = { ...draft, origin: this.#o.region, hlc: formatHlc(hlc) };
    // Called in stamp order, so the region's held records reach the log (and the peers) in stamp order.
    const durable = this.#o.log.appendHeld(stamped(line, 0), line.hlc!);
    return this.#hold(line, hlc, true, durable) as Promise<Message>;
  }

  /** A peer's line (its clock already observed); resolves once it is in this region's order. */
  remote(draft: Draft, hlc: Hlc): Promise<unknown> {
    return this.#hold(draft, hlc, false, Promise.resolve());
  }

  /** A peer's heartbeat for one partition of its topic: the streams of that partition may release. */
  watermark(hlc: Hlc, partition: number, partitions: number): void {
    const now = this.#now();
    for (const [stream, s] of this.#streams) {
      if (s.partition?.n !== partitions) s.partition = { of: partitionOf(stream, partitions), n: partitions };
      if (s.partition.of === partition) this.#release(stream, s, s.order.advance(hlc.region, hlc, now));
    }
  }

  /** The stream is in regional order now: what it held goes out, in order, and its merger is forgotten. */
  leave(stream: string): void {
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    this.#streams.delete(stream);
    this.#release(stream, s, s.order.drain());
  }

  /** Every heartbeat interval: this region's own watermark moves, the hold bound applies, idle streams are forgotten. */
  tick(): void {
    const now = this.#now();
    for (const [stream, s] of this.#streams) {
      if (s.waiting.size === 0 && now - s.lastLineAt > IDLE_MS) {
        this.#streams.delete(stream);
        continue;
      }
      this.#release(stream, s, [...s.order.advance(this.#o.region, this.#o.clock.now(), now), ...s.order.tick(now)]);
    }
  }

  /** Lets every held line out, in order, and waits until each is stored (shutdown: nothing held is dropped). */
  async close(): Promise<void> {
    this.#closed = true;
    const streams = [...this.#streams];
    for (const [stream] of streams) this.leave(stream);
    await Promise.all(streams.map(([, s]) => s.chain));
    await Promise.allSettled([...this.#entering]);
  }

  #hold(draft: Draft, hlc: Hlc, local: boolean, durable: Promise<unknown>): Promise<Message | undefined> {
    // Shutting down, nothing ticks any more: what still comes goes out at once, as in regional order.
    if (this.#closed) return durable.then(() => this.#enter(draft, local));
    const now = this.#now();
    const s = this.#stream(draft.stream, now);
    s.lastLineAt = now;
    const already = s.waiting.get(draft.id);
    if (already !== undefined) return already.done;
    let resolve!: (message: Message | undefined) => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<Message | undefined>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A refused held record fails the send at once; the line still passes the merger, and is skipped at its release.
    durable.catch(reject);
    const waiting: Waiting = { draft, local, durable, done, resolve, reject };
    s.waiting.set(draft.id, waiting);
    const out = s.order.add(waiting, hlc, draft.id, now);
    // This region has stamped everything up to now: a remote line waits for the other peers only.
    if (!local) out.push(...s.order.advance(this.#o.region, this.#o.clock.now(), now));
    this.#release(draft.stream, s, out);
    return done;
  }

  #stream(stream: string, now: number): StreamOrder {
    let s = this.#streams.get(stream);
    if (s === undefined) {
      const order = new GlobalOrder<Waiting>({ regions: [this.#o.region, ...this.#o.peers], holdMaxMs: this.#o.holdMaxMs, maxHeld: this.#o.maxHeld });
      s = { order, waiting: new Map(), chain: Promise.resolve(), partition: undefined, lastLineAt: now, shown: WHOLE, shownJson: JSON.stringify(WHOLE), degradedAt: -Infinity };
      this.#streams.set(stream, s);
    }
    return s;
  }

  #enter(draft: Draft, local: boolean): Promise<Message | undefined> {
    const entering = local ? this.#o.order.publish(draft, false) : this.#o.order.admit(draft, false, this.#o.onceMs);
    this.#entering.add(entering);
    const forget = (): void => void this.#entering.delete(entering);
    entering.then(forget, forget);
    return entering;
  }

  /** Released lines enter this region's order in the released order; then the stream's state is told if it changed. */
  #release(stream: string, s: StreamOrder, released: Waiting[]): void {
    for (const w of released) {
      if (s.waiting.get(w.draft.id) === w) s.waiting.delete(w.draft.id);
      s.chain = s.chain.then(() => w.durable).then(() => {
        // Not awaited: the next line's seq is asked for right after this one's, and the log appends go together.
        this.#enter(w.draft, w.local).then(w.resolve, w.reject);
      }, w.reject);
    }
    const state = s.order.state();
    const now = this.#now();
    if (state.degraded) s.degradedAt = now;
    // Whole again: told once the degraded moment has been shown its while (a later tick tells it).
    else if (s.shown.degraded && now - s.degradedAt < this.#o.degradedShownMs) return;
    const json = JSON.stringify(state);
    if (json === s.shownJson) return;
    s.shown = state;
    s.shownJson = json;
    this.#o.onState(stream, state);
  }
}
