import type { Bus, BusEvent, Unsubscribe } from '../bus/bus.ts';
import type { DurableLog, HistoryPage } from '../log/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Message, Modes, StreamState } from '../protocol/types.ts';
import { readStreamState, type StreamStateSources } from '../chat/stream-state.ts';
import { clearFrame, liveFrame, retractFrame, stateFrame } from '../protocol/server-frames.ts';
import { MessageWindow } from './message-window.ts';
import { OutboundBatch, OutboundFrame, type FrameContent, type Viewer } from './outbound-frame.ts';

export interface StreamHubOptions extends StreamStateSources {
  bus: Bus;
  log: DurableLog;
  metrics: Metrics;
  maxFlushMs: number;
  stateIntervalMs: number;
  windowSize: number;
  /** After each fan-out: how long its oldest line waited here, stamp to written to every viewer (ms). */
  onFanoutDelay: (stream: string, delayMs: number) => void;
  onError: (err: unknown) => void;
}

export interface JoinRequest {
  history: number;
  since: number | undefined;
  /** Most messages a `since` resume replays. */
  resumeMax: number;
}

export interface JoinResult {
  seq: number;
  history: Message[];
  state: StreamState;
  truncated: boolean;
}

type Pending = { kind: 'msg'; message: Message } | { kind: 'frame'; json: string; content: FrameContent };

/** A frame of one flush; message frames keep their parts so a joiner can get a cut-down copy. */
interface EncodedFrame {
  frame: OutboundFrame;
  messages?: Message[];
  jsons?: string[];
}

const LINGER_MS = 5_000;
// A flush costs one write system call per viewer, whatever its size, so a
// stream's flush window follows what its flushes cost: this many times the
// time its last flushes took, so writing to its viewers takes at most about
// a quarter of the gateway's time, up to maxFlushMs (the latency budget). A
// stream with few viewers costs next to nothing and flushes at once; on a
// busy machine the same flush takes longer and the window widens with it.
const WINDOW_PER_FLUSH_COST = 3;
// Weight of the newest flush in the running cost.
const COST_SMOOTHING = 0.3;
// Viewers written per turn of the event loop: between chunks, inbound
// frames and backing-service replies are handled, so one big stream's
// fan-out never holds the gateway's other work for long.
const FANOUT_CHUNK = 1_000;
const CATCH_UP_RETRIES = 3;
// A re-read after a bus gap is the only way to the lines the gap lost, and the
// store it reads from has often just come back itself: it is tried this many
// times, RESYNC_RETRY_MS apart (times the attempt), while the stream's flushes wait.
const RESYNC_ATTEMPTS = 5;
const RESYNC_RETRY_MS = 200;
// Events a stream may have waiting for its next flush. They pile up only
// while a fan-out is being written (broadcast lines arrive at the stream's
// sampled rate, so normally a few hundred); past this, a stalled gateway drops
// further lines for its viewers (counted; a seq gap, as sampling leaves)
// instead of holding them without bound. Retractions and state are kept.
const MAX_PENDING = 10_000;
// Distributed viewer counters expire presence; refreshing it is rarer than counting.
const HEARTBEAT_EVERY_MS = 30_000;

/** One stream as this gateway carries it: its viewers, its bus subscription, its pending batch. */
class Channel {
  readonly stream: string;
  /** Each viewer with the id the viewer counter knows it by (fixed at join, even if it signs in later). */
  readonly viewers = new Map<Viewer, string>();
  /**
   * Viewers just attached, with the seq their history reached: a message at
   * or below it may still arrive (stored before the history read, published
   * after it) and must not reach them twice. Each becomes an ordinary viewer
   * at its first newer message.
   */
  readonly joiners = new Map<Viewer, { viewerId: string; floor: number }>();
  /** Viewers and joiners that were signed in when they joined: the stream picker lists only streams with some. */
  readonly signedIn = new Set<Viewer>();
  readonly window: MessageWindow;
  pending: Pending[] = [];
  /**
   * The log's newest seq when the subscription began: every displayable
   * message after it reaches this channel, so while the window has not
   * evicted past it, the window answers joins without reading the log.
   */
  coveredAfter = 0;
  /** The newest seq this channel knows of, for `joined.seq` when history comes from the window. */
  newestSeq = 0;
  joining = 0;
  /** Re-reads of the log after a bus gap in progress: flushes wait for them, joins read the log. */
  resyncing = 0;
  /**
   * The newest seq a re-read put in: the read may see a line published after
   * the bus came back, which then also arrives live and must be dropped.
   */
  resyncedUpTo = 0;
  state: StreamState;
  /**
   * The modes last announced by a mode change: the next state frame names the
   * ones that differ (IRC announces each change on its own). Kept apart from
   * `state`, which a join may refresh from the store before the event arrives.
   */
  announcedModes: Modes;
  changedModes: Array<keyof Modes> = [];
  stateDirty = false;
  lastStateAt = 0;
  lastFlushAt = 0;
  /** Running wall time (ms) of writing one flush to every viewer. */
  flushCostMs = 0;
  /** A chunked fan-out in progress: the next flush waits for it, so frames reach every viewer in order. */
  delivering = false;
  flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Brings a throttled state frame; apart from flushTimer, so it never holds messages back. */
  stateTimer: NodeJS.Timeout | undefined;
  lingerTimer: NodeJS.Timeout | undefined;
  unsubscribe: Unsubscribe | undefined;

  constructor(stream: string, windowSize: number, state: StreamState) {
    this.stream = stream;
    this.window = new MessageWindow(windowSize);
    this.state = state;
    this.announcedModes = state.modes;
  }
}

/**
 * Fans each stream's live events out to this gateway's viewers: subscribes to
 * the bus while the stream has viewers here, coalesces what arrives within the
 * stream's flush window into one frame, encodes it once and hands the same
 * bytes to every viewer. Also answers joins with history that hands over to
 * live with no gap and no duplicate.
 */
export class StreamHub {
  readonly #o: StreamHubOptions;
  readonly #channels = new Map<string, Promise<Channel>>();
  readonly #ready = new Map<string, Channel>();
  readonly #countTimer: NodeJS.Timeout;
  #lastHeartbeat = 0;

  constructor(options: StreamHubOptions) {
    this.#o = options;
    this.#countTimer = setInterval(() => this.#refreshCounts(), options.stateIntervalMs);
    this.#countTimer.unref();
  }

  async join(stream: string, viewer: Viewer, request: JoinRequest, onJoined: (result: JoinResult) => void): Promise<void> {
    const channel = await this.#channel(stream);
    channel.joining++;
    const viewerId = viewer.viewerId;
    this.#o.viewers.join(stream, viewerId);
    let joined = false;
    try {
      const [page, state] = await Promise.all([
        this.#fromWindow(channel, request) ?? (request.since === undefined
          ? this.#o.log.latest(stream, request.history)
          : this.#o.log.since(stream, request.since, request.resumeMax + 1)),
        readStreamState(this.#o, stream),
      ]);
      channel.state = state;
      const result = await this.#handOver(channel, page, request);
      // From the hand-over to here nothing awaits: the viewer is attached in the same turn.
      onJoined(result);
      channel.joiners.set(viewer, { viewerId, floor: result.seq });
      if (viewer.signedIn) channel.signedIn.add(viewer);
      joined = true;
    } finally {
      if (!joined) this.#o.viewers.leave(stream, viewerId);
      channel.joining--;
      this.#lingerIfEmpty(channel);
    }
  }

  /**
   * History from the channel's window when the window is known to hold it:
   * a reconnect storm or a viral join then costs no log read at all.
   */
  #fromWindow(channel: Channel, request: JoinRequest): HistoryPage | undefined {
    if (channel.resyncing > 0) return undefined;
    const complete = Math.max(channel.coveredAfter, channel.window.evictedUpTo);
    if (request.since !== undefined) {
      // Ahead of what this gateway has seen (or of the stream): the log knows the stream's newest seq.
      if (request.since < complete || request.since > channel.newestSeq) return undefined;
      const messages = this.#seenAfter(channel, request.since);
      return messages.length > request.resumeMax ? undefined : { messages, lastSeq: channel.newestSeq };
    }
    // Only the part after `complete` is known to have no hole; before it, the log decides.
    const tail = this.#seenAfter(channel, complete);
    if (tail.length < request.history && complete > 0) return undefined;
    return { messages: tail.slice(Math.max(0, tail.length - request.history)), lastSeq: channel.newestSeq };
  }

  /** Messages after `seq` this channel has received: delivered ones (the window), then pending ones. */
  #seenAfter(channel: Channel, seq: number): Message[] {
    const seen = channel.window.after(seq);
    for (const item of channel.pending) if (item.kind === 'msg' && item.message.seq > seq) seen.push(item.message);
    return seen;
  }

  /**
   * Joins the log page with what this gateway received while it was read, up
   * to the newest message it has seen (pending ones included: a join never
   * forces an early flush, so it does not break a big stream's coalescing).
   * The viewer's floor (its seq) keeps those, and anything older that arrives
   * later, from reaching it twice.
   */
  async #handOver(channel: Channel, page: HistoryPage, request: JoinRequest): Promise<JoinResult> {
    let history = page.messages;
    if (request.since !== undefined && history.length > request.resumeMax) {
      history = history.slice(0, request.resumeMax);
      return { seq: history[history.length - 1]!.seq, history, state: channel.state, truncated: true };
    }
    let lastSeq = page.lastSeq;
    for (let attempt = 0; ; attempt++) {
      // Not `since`: one above the stream's newest seq would hold back every live line (it is clamped).
      const seq = Math.max(lastSeq, history.length > 0 ? history[history.length - 1]!.seq : 0);
      if (channel.window.evictedUpTo > seq && attempt === CATCH_UP_RETRIES) {
        // The stream outruns the log reads: say so rather than hide a gap.
        return { seq, history, state: channel.state, truncated: true };
      }
      if (channel.window.evictedUpTo <= seq) {
        const catchUp = this.#seenAfter(channel, seq);
        if (catchUp.length === 0) return { seq, history, state: channel.state, truncated: false };
        return { seq: catchUp[catchUp.length - 1]!.seq, history: history.concat(catchUp), state: channel.state, truncated: false };
      }
      // The window overflowed while the log was read: read on from where the page ended.
      const next = await this.#o.log.since(channel.stream, seq, request.resumeMax);
      history = history.concat(next.messages);
      lastSeq = next.lastSeq;
    }
  }

  /**
   * The live bus may have lost events (its Redis connection was cut and is
   * back): every stream carried here re-reads the log after the newest seq it
   * had and slips what it missed in before what has arrived since, so
   * viewers see no gap. Call it when the bus is subscribed again, before any
   * newer event is handled.
   */
  resync(): void {
    for (const channel of this.#ready.values()) {
      const after = channel.newestSeq;
      const at = channel.pending.length;
      channel.resyncing++;
      this.#readMissed(channel.stream, after)
        .then((messages) => this.#insertMissed(channel, messages, at), this.#o.onError)
        .finally(() => {
          channel.resyncing--;
          if (channel.pending.length > 0) this.#schedule(channel);
        });
    }
  }

  async #readMissed(stream: string, after: number): Promise<Message[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.#o.log.since(stream, after, this.#o.windowSize)).messages;
      } catch (err) {
        if (attempt >= RESYNC_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, RESYNC_RETRY_MS * attempt));
      }
    }
  }

  /** Missed messages go where the gap was: after what arrived before it, before what arrived after it (all newer). */
  #insertMissed(channel: Channel, messages: Message[], at: number): void {
    const arrived = new Set<number>();
    for (const item of channel.pending) if (item.kind === 'msg') arrived.add(item.message.seq);
    const missed: Pending[] = [];
    for (const message of messages) {
      if (arrived.has(message.seq)) continue;
      missed.push({ kind: 'msg', message });
      if (message.seq > channel.newestSeq) channel.newestSeq = message.seq;
      if (message.seq > channel.resyncedUpTo) channel.resyncedUpTo = message.seq;
    }
    if (missed.length > 0) channel.pending.splice(at, 0, ...missed);
  }

  leave(stream: string, viewer: Viewer): void {
    const channel = this.#ready.get(stream);
    if (channel === undefined) return;
    const viewerId = channel.viewers.get(viewer) ?? channel.joiners.get(viewer)?.viewerId;
    if (viewerId === undefined) return;
    channel.viewers.delete(viewer);
    channel.joiners.delete(viewer);
    channel.signedIn.delete(viewer);
    this.#o.viewers.leave(stream, viewerId);
    this.#lingerIfEmpty(channel);
  }

  viewersOf(stream: string): number {
    const channel = this.#ready.get(stream);
    return channel === undefined ? 0 : channel.viewers.size + channel.joiners.size;
  }

  /**
   * The page's stream picker: streams someone signed in watches on this
   * gateway (a broadcaster's own connection is one), most signed-in viewers
   * first, each with all its viewers. Anonymous sockets cost nothing to open,
   * so they are counted but never list a stream or lift it above another.
   */
  liveStreams(limit: number): Array<{ stream: string; viewers: number }> {
    const live: Array<{ stream: string; viewers: number; signedIn: number }> = [];
    for (const channel of this.#ready.values()) {
      if (channel.signedIn.size > 0) live.push({ stream: channel.stream, viewers: this.viewersOf(channel.stream), signedIn: channel.signedIn.size });
    }
    live.sort((a, b) => b.signedIn - a.signedIn || b.viewers - a.viewers || a.stream.localeCompare(b.stream));
    return live.slice(0, limit).map(({ stream, viewers }) => ({ stream, viewers }));
  }

  /** Every viewer of every stream, for the drain on shutdown. */
  *allViewers(): Iterable<Viewer> {
    for (const channel of this.#ready.values()) {
      yield* channel.viewers.keys();
      yield* channel.joiners.keys();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#countTimer);
    for (const channel of this.#ready.values()) {
      this.#flush(channel);
      clearTimeout(channel.lingerTimer);
      clearTimeout(channel.stateTimer);
      await channel.unsubscribe?.();
    }
    this.#ready.clear();
    this.#channels.clear();
  }

  #channel(stream: string): Promise<Channel> {
    let ready = this.#channels.get(stream);
    if (ready === undefined) {
      ready = this.#open(stream);
      this.#channels.set(stream, ready);
      ready.catch(() => this.#channels.delete(stream));
    }
    return ready.then((channel) => {
      clearTimeout(channel.lingerTimer);
      channel.lingerTimer = undefined;
      return channel;
    });
  }

  async #open(stream: string): Promise<Channel> {
    const channel = new Channel(stream, this.#o.windowSize, await readStreamState(this.#o, stream));
    channel.unsubscribe = await this.#o.bus.subscribe(stream, (_stream, event) => this.#onEvent(channel, event));
    // Read after subscribing: whatever the log does not hold yet is published after this point and arrives here.
    channel.coveredAfter = await this.#o.log.lastSeq(stream);
    channel.newestSeq = Math.max(channel.newestSeq, channel.coveredAfter);
    this.#ready.set(stream, channel);
    return channel;
  }

  #lingerIfEmpty(channel: Channel): void {
    if (channel.viewers.size > 0 || channel.joiners.size > 0 || channel.joining > 0 || channel.lingerTimer !== undefined) return;
    // Keeping the subscription a few seconds saves a resubscribe when viewers churn.
    channel.lingerTimer = setTimeout(() => {
      channel.lingerTimer = undefined;
      if (channel.viewers.size > 0 || channel.joiners.size > 0 || channel.joining > 0) return;
      this.#flush(channel);
      this.#ready.delete(channel.stream);
      this.#channels.delete(channel.stream);
      channel.unsubscribe?.().catch(this.#o.onError);
    }, LINGER_MS);
    channel.lingerTimer.unref();
  }

  #onEvent(channel: Channel, event: BusEvent): void {
    switch (event.kind) {
      case 'msg':
        // The bus carries a stream in seq order, so a line at or below what a re-read put in is that line again.
        if (event.message.seq <= channel.resyncedUpTo) return;
        if (event.message.seq > channel.newestSeq) channel.newestSeq = event.message.seq;
        if (channel.pending.length >= MAX_PENDING) {
          this.#o.metrics.fanoutDropped.inc();
          return;
        }
        channel.pending.push({ kind: 'msg', message: event.message });
        break;
      case 'retract': {
        const ids = new Set(event.ids);
        const known = channel.window.remove((m) => ids.has(m.id));
        const content: FrameContent = { kind: 'retract', stream: channel.stream, ids: event.ids, reason: event.reason, known };
        channel.pending.push({ kind: 'frame', json: retractFrame(channel.stream, event.ids, event.reason), content });
        break;
      }
      case 'clear': {
        const name = channel.window.remove((m) => m.user.id === event.user)[0]?.user.name;
        const content: FrameContent = { kind: 'clear', stream: channel.stream, user: event.user, name, reason: event.reason, seconds: event.seconds };
        channel.pending.push({ kind: 'frame', json: clearFrame(channel.stream, event.user, event.reason, event.seconds), content });
        break;
      }
      case 'state':
        channel.state = { ...channel.state, ...event.state };
        channel.stateDirty = true;
        // Mode changes are a moderator's deliberate act: show them now, not at the next tick.
        if (event.state.modes !== undefined) {
          channel.lastStateAt = 0;
          this.#noteModeChanges(channel, event.state.modes);
        }
        break;
    }
    this.#schedule(channel);
  }

  #noteModeChanges(channel: Channel, modes: Modes): void {
    for (const mode of Object.keys(modes) as Array<keyof Modes>) {
      if (modes[mode] !== channel.announcedModes[mode] && !channel.changedModes.includes(mode)) channel.changedModes.push(mode);
    }
    channel.announcedModes = modes;
  }

  #schedule(channel: Channel): void {
    if (channel.flushTimer !== undefined || channel.delivering) return;
    const window = Math.min(this.#o.maxFlushMs, channel.flushCostMs * WINDOW_PER_FLUSH_COST);
    const wait = channel.lastFlushAt + window - performance.now();
    // A quiet stream flushes at once (after this tick, so a burst in one tick is one frame).
    channel.flushTimer = wait <= 0 ? setImmediate(() => this.#flush(channel)) : setTimeout(() => this.#flush(channel), wait);
  }

  #flush(channel: Channel): void {
    if (channel.flushTimer !== undefined) {
      clearTimeout(channel.flushTimer as NodeJS.Timeout);
      clearImmediate(channel.flushTimer as NodeJS.Immediate);
      channel.flushTimer = undefined;
    }
    // The resync schedules a flush when it is done, and so does a fan-out in progress.
    if (channel.resyncing > 0 || channel.delivering) return;
    const frames = this.#encode(channel);
    if (frames.length === 0) return;
    channel.lastFlushAt = performance.now();
    // One write per viewer for the whole flush, whatever frames it holds.
    const batch = new OutboundBatch(frames.map((f) => f.frame));
    // The viewers of this flush: joiners promoted by it get its frames their own way.
    const viewers = [...channel.viewers.keys()];
    if (channel.joiners.size > 0) this.#deliverToJoiners(channel, frames);
    for (const { frame } of frames) if (frame.lines > 0) this.#o.metrics.batchSize.observe(frame.lines);
    if (batch.lines > 0) this.#o.metrics.deliveries.inc(batch.lines * viewers.length);
    this.#o.metrics.framesWritten.inc(frames.length * viewers.length);
    this.#o.metrics.fanoutWrites.inc(viewers.length);
    channel.delivering = true;
    const oldestTs = frames.find((f) => f.messages !== undefined)?.messages![0]!.ts;
    let next = 0;
    let costMs = 0;
    const writeChunk = (): void => {
      const started = performance.now();
      const end = Math.min(next + FANOUT_CHUNK, viewers.length);
      for (; next < end; next++) viewers[next]!.deliver(batch);
      costMs += performance.now() - started;
      if (next < viewers.length) {
        setImmediate(writeChunk);
        return;
      }
      channel.delivering = false;
      channel.flushCostMs += (costMs - channel.flushCostMs) * COST_SMOOTHING;
      if (oldestTs !== undefined) this.#o.onFanoutDelay(channel.stream, Date.now() - oldestTs);
      if (channel.pending.length > 0 || channel.stateDirty) this.#schedule(channel);
    };
    writeChunk();
  }

  /**
   * The rare path: each just-attached viewer gets the flush cut down to what
   * it has not had yet (frames other than lines all reach it), as one write,
   * and from its first newer line on it is an ordinary viewer.
   */
  #deliverToJoiners(channel: Channel, frames: EncodedFrame[]): void {
    for (const [viewer, joiner] of channel.joiners) {
      const own: OutboundFrame[] = [];
      let caughtUp = false;
      for (const { frame, messages, jsons } of frames) {
        if (messages === undefined || caughtUp) {
          own.push(frame);
          continue;
        }
        if (messages[messages.length - 1]!.seq <= joiner.floor) continue;
        const fresh = messages.findIndex((m) => m.seq > joiner.floor);
        const rest = messages.slice(fresh);
        own.push(fresh === 0
          ? frame
          : new OutboundFrame(liveFrame(channel.stream, jsons!.slice(fresh)), { kind: 'msgs', stream: channel.stream, messages: rest }, rest.length, frame.lastSeq));
        caughtUp = true;
      }
      if (own.length > 0) {
        const batch = new OutboundBatch(own);
        viewer.deliver(batch);
        this.#o.metrics.deliveries.inc(batch.lines);
      }
      if (caughtUp) {
        channel.joiners.delete(viewer);
        channel.viewers.set(viewer, joiner.viewerId);
      }
    }
  }

  /** Turns the pending events into frames: runs of messages become one msg/batch frame each. */
  #encode(channel: Channel): EncodedFrame[] {
    const frames: EncodedFrame[] = [];
    const pending = channel.pending;
    channel.pending = [];
    let jsons: string[] = [];
    let messages: Message[] = [];
    const endRun = (): void => {
      if (jsons.length === 0) return;
      const content: FrameContent = { kind: 'msgs', stream: channel.stream, messages };
      frames.push({ frame: new OutboundFrame(liveFrame(channel.stream, jsons), content, jsons.length, messages[messages.length - 1]!.seq), messages, jsons });
      jsons = [];
      messages = [];
    };
    for (const item of pending) {
      if (item.kind === 'msg') {
        channel.window.push(item.message);
        jsons.push(JSON.stringify(item.message));
        messages.push(item.message);
      } else {
        endRun();
        frames.push({ frame: new OutboundFrame(item.json, item.content, 0, undefined) });
      }
    }
    endRun();
    const now = performance.now();
    if (channel.stateDirty) {
      if (now - channel.lastStateAt >= this.#o.stateIntervalMs) {
        channel.stateDirty = false;
        channel.lastStateAt = now;
        const content: FrameContent = { kind: 'state', stream: channel.stream, state: channel.state, changedModes: channel.changedModes };
        channel.changedModes = [];
        frames.push({ frame: new OutboundFrame(stateFrame(channel.stream, channel.state), content, 0, undefined) });
      } else {
        // Throttled: at the end of the interval the state frame goes with the
        // stream's next flush, in its window, so a busy stream's lines and
        // state share one flush (one write per viewer) instead of the state
        // forcing a flush of its own between two windows.
        channel.stateTimer ??= setTimeout(() => {
          channel.stateTimer = undefined;
          this.#schedule(channel);
        }, channel.lastStateAt + this.#o.stateIntervalMs - now);
      }
    }
    return frames;
  }

  /** Viewer counts change without a bus event; each gateway reads them from the counter. */
  #refreshCounts(): void {
    const now = performance.now();
    const heartbeat = now - this.#lastHeartbeat >= HEARTBEAT_EVERY_MS;
    if (heartbeat) this.#lastHeartbeat = now;
    for (const channel of this.#ready.values()) {
      if (channel.viewers.size + channel.joiners.size === 0) continue;
      if (heartbeat) {
        const ids = new Set(channel.viewers.values());
        for (const joiner of channel.joiners.values()) ids.add(joiner.viewerId);
        this.#o.viewers.heartbeat(channel.stream, ids);
      }
      this.#o.viewers.count(channel.stream).then((viewers) => {
        if (viewers === channel.state.viewers) return;
        this.#onEvent(channel, { kind: 'state', state: { viewers } });
      }, this.#o.onError);
    }
  }
}
