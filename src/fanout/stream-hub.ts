import type { Bus, BusEvent } from '../bus/bus.ts';
import type { BrokerHistory } from '../broker/broker.ts';
import type { Metrics } from '../observability/metrics.ts';
import { readStreamState, type StreamStateSources } from '../chat/stream-state.ts';
import type { FanoutSampling } from '../chat/sampler.ts';
import type { Sightings } from '../chat/sightings.ts';
import { Channel } from './channel.ts';
import { takeEvent } from './channel-events.ts';
import { FlushScheduler } from './flush-scheduler.ts';
import { delayedView, handOver, historyFromWindow, type JoinRequest, type JoinResult } from './join-handover.ts';
import { deliverModeratorEvent, deliverToModerators } from './moderator-frames.ts';
import type { Viewer } from './outbound-frame.ts';
import { resyncChannel } from './resync.ts';
import { armPinExpiry, clearPinExpiry } from './pin-expiry.ts';
import type { Message } from '../protocol/types.ts';
import { ViewerCountRefresh } from './viewer-counts.ts';

export type { JoinRequest, JoinResult } from './join-handover.ts';

export interface StreamHubOptions extends StreamStateSources {
  bus: Bus;
  /** History for joins, resumes and resyncs: the broker's reads, in step with its live publish. */
  broker: BrokerHistory;
  metrics: Metrics;
  maxFlushMs: number;
  stateIntervalMs: number;
  /** Recent messages kept per stream for joins and resumes (default 1,000). */
  windowSize?: number;
  /** Asked for each stream's rate, and told how late each fan-out ran. */
  sampling: FanoutSampling;
  /** Told of each signed-in viewer's join: the account-age gate counts from a user's first one. */
  sightings?: Pick<Sightings, 'note'>;
  /**
   * This gateway's region (multi-region mode). A line of another origin
   * entered this region's order when it arrived here: its wait counts from
   * then, not from its origin's `ts` (the link, the mirror and a global
   * order's hold are not this gateway's fan-out being slow).
   */
  region?: string;
  onError: (err: unknown) => void;
}

const WINDOW_SIZE = 1_000;
const LINGER_MS = 5_000;

/**
 * Fans each stream's live events out to this gateway's viewers: subscribes to
 * the bus while the stream has viewers here, coalesces what arrives within the
 * stream's flush window into one batch and hands the same batch to every
 * viewer, whose transport encodes it once for all its sockets. Also answers
 * joins with history that hands over to live with no gap and no duplicate.
 * This class keeps the channels; their parts (events, flushes, joins,
 * resyncs, counts) live in files of their own.
 */
export class StreamHub {
  readonly #o: StreamHubOptions & { windowSize: number };
  readonly #channels = new Map<string, Promise<Channel>>();
  readonly #ready = new Map<string, Channel>();
  readonly #flushes: FlushScheduler;
  readonly #counts: ViewerCountRefresh;

  constructor(options: StreamHubOptions) {
    this.#o = { windowSize: WINDOW_SIZE, ...options };
    this.#flushes = new FlushScheduler(options);
    this.#counts = new ViewerCountRefresh(options.viewers, this.#ready, options.stateIntervalMs, (channel, figures) => {
      this.#onEvent(channel, { kind: 'state', state: figures });
    }, options.onError);
  }

  async join(stream: string, viewer: Viewer, request: JoinRequest, onJoined: (result: JoinResult) => void): Promise<void> {
    const channel = await this.#channel(stream);
    channel.joining++;
    const viewerId = viewer.viewerId;
    this.#o.viewers.join(stream, viewerId);
    let joined = false;
    try {
      const [page, state] = await Promise.all([
        historyFromWindow(channel, request) ?? (request.since === undefined
          ? this.#o.broker.latest(stream, request.history)
          : this.#o.broker.since(stream, request.since, request.resumeMax + 1)),
        readStreamState(this.#o, stream),
      ]);
      // A pin that ended while this read was on its way ends for the viewers here too.
      const unpinned = channel.state.pinned !== undefined && state.pinned === undefined;
      channel.state = state;
      if (unpinned) this.#onEvent(channel, { kind: 'state', state: { pinned: null } });
      else this.#armPin(channel);
      const handed = await handOver(channel, page, request, this.#o.broker);
      // From the hand-over to here nothing awaits: the viewer is attached in the same turn.
      const result = request.moderator === true ? handed : delayedView(channel, handed, Date.now());
      onJoined(result);
      channel.joiners.set(viewer, { viewerId, floor: result.seq });
      if (viewer.signedIn) {
        channel.signedIn.add(viewer);
        this.#o.sightings?.note(stream, viewerId);
      }
      if (request.moderator === true) channel.moderators.add(viewer);
      joined = true;
    } finally {
      if (!joined) this.#o.viewers.leave(stream, viewerId);
      channel.joining--;
      this.#lingerIfEmpty(channel);
    }
  }

  /**
   * The live bus may have lost events (its Redis connection was cut and is
   * back): every stream carried here re-reads history after the newest seq it
   * had and slips what it missed in before what has arrived since, so
   * viewers see no gap. Call it when the bus is subscribed again, before any
   * newer event is handled.
   */
  resync(): void {
    for (const channel of this.#ready.values()) {
      resyncChannel(channel, this.#o.broker, this.#o.windowSize, this.#o.onError, () => {
        if (channel.pending.length > 0) this.#flushes.schedule(channel);
      });
    }
  }

  leave(stream: string, viewer: Viewer): void {
    const channel = this.#ready.get(stream);
    if (channel === undefined) return;
    const viewerId = channel.viewers.get(viewer) ?? channel.joiners.get(viewer)?.viewerId;
    if (viewerId === undefined) return;
    channel.viewers.delete(viewer);
    channel.joiners.delete(viewer);
    channel.signedIn.delete(viewer);
    channel.moderators.delete(viewer);
    this.#o.viewers.leave(stream, viewerId);
    this.#lingerIfEmpty(channel);
  }

  /** A line of the stream this gateway holds, not retracted (a reply's parent, a pin): none when it does not carry the stream. */
  recentLine(stream: string, id: string): Message | undefined {
    return this.#ready.get(stream)?.recentLine(id);
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
    this.#counts.stop();
    for (const channel of this.#ready.values()) {
      this.#flushes.flush(channel);
      this.#flushes.drainDelay(channel);
      clearTimeout(channel.lingerTimer);
      clearTimeout(channel.stateTimer);
      clearPinExpiry(channel);
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
    this.#armPin(channel);
    // Read after subscribing: whatever history does not hold yet is published after this point and arrives here.
    channel.coveredAfter = await this.#o.broker.lastSeq(stream);
    channel.newestSeq = Math.max(channel.newestSeq, channel.coveredAfter);
    // Lines stored before this gateway carried the stream are history for everyone: the delay applies from here on.
    channel.delay.releasedUpTo = channel.coveredAfter;
    this.#ready.set(stream, channel);
    return channel;
  }

  #onEvent(channel: Channel, event: BusEvent): void {
    if (event.kind === 'held' || event.kind === 'reviewed' || event.kind === 'restricted' || event.kind === 'warned') {
      deliverModeratorEvent(channel, event);
      return;
    }
    if (event.kind === 'modlog') {
      deliverToModerators(channel, { kind: 'modlog', stream: channel.stream, entry: event.entry });
      return;
    }
    if (!takeEvent(channel, event, this.#o.metrics, this.#o.region)) return;
    if (event.kind === 'state' && event.state.pinned !== undefined) this.#armPin(channel);
    this.#flushes.schedule(channel);
  }

  /** The pin's end is the same moment on every gateway: each removes it from its own viewers' state. */
  #armPin(channel: Channel): void {
    armPinExpiry(channel, () => this.#onEvent(channel, { kind: 'state', state: { pinned: null } }), Date.now());
  }

  #lingerIfEmpty(channel: Channel): void {
    if (!channel.idle || channel.lingerTimer !== undefined) return;
    // Keeping the subscription a few seconds saves a resubscribe when viewers churn.
    channel.lingerTimer = setTimeout(() => {
      channel.lingerTimer = undefined;
      if (!channel.idle) return;
      this.#flushes.flush(channel);
      this.#flushes.drainDelay(channel);
      clearPinExpiry(channel);
      this.#ready.delete(channel.stream);
      this.#channels.delete(channel.stream);
      channel.unsubscribe?.().catch(this.#o.onError);
    }, LINGER_MS);
    channel.lingerTimer.unref();
  }
}
