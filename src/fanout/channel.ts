import type { Unsubscribe } from '../bus/bus.ts';
import type { Message, Modes, StreamState } from '../protocol/types.ts';
import { MessageWindow } from './message-window.ts';
import { DelayLane } from './delay-lane.ts';
import type { FrameContent, Viewer } from './outbound-frame.ts';

function takesBack(content: FrameContent, message: Message): boolean {
  return (content.kind === 'retract' && content.ids.includes(message.id)) || (content.kind === 'clear' && content.user === message.user.id);
}

export type Pending = { kind: 'msg'; message: Message } | { kind: 'frame'; content: FrameContent };

/** One stream as this gateway carries it: its viewers, its bus subscription, its pending batch. */
export class Channel {
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
  /** Viewers and joiners that joined as the broadcaster or a moderator: they see lines undelayed, and the review queue. */
  readonly moderators = new Set<Viewer>();
  /** Frames on their way to the other viewers while the chat delay is on (or draining after it went off). */
  readonly delay = new DelayLane();
  readonly window: MessageWindow;
  pending: Pending[] = [];
  /** When the oldest line of the next flush began to wait here (channel-events.ts); undefined with none taken in. */
  waitingSince: number | undefined;
  /**
   * History's newest seq when the subscription began: every displayable
   * message after it reaches this channel, so while the window has not
   * evicted past it, the window answers joins without reading history.
   */
  coveredAfter = 0;
  /** The newest seq this channel knows of, for `joined.seq` when history comes from the window. */
  newestSeq = 0;
  joining = 0;
  /** Re-reads of history after a bus gap in progress: flushes wait for them, joins read history. */
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
  /** performance.now() of the last state frame; -Infinity: the next one may go at once (performance.now() starts near 0 with the process). */
  lastStateAt = -Infinity;
  lastFlushAt = 0;
  /** Running wall time (ms) of writing one flush to every viewer. */
  flushCostMs = 0;
  /** A chunked fan-out in progress: the next flush waits for it, so frames reach every viewer in order. */
  delivering = false;
  flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Brings a throttled state frame; apart from flushTimer, so it never holds messages back. */
  stateTimer: NodeJS.Timeout | undefined;
  lingerTimer: NodeJS.Timeout | undefined;
  /** Ends the pinned line's time (pin-expiry.ts), armed for the pin ending at `pinTimerUntil`. */
  pinTimer: NodeJS.Timeout | undefined;
  pinTimerUntil: number | undefined;
  unsubscribe: Unsubscribe | undefined;

  constructor(stream: string, windowSize: number, state: StreamState) {
    this.stream = stream;
    this.window = new MessageWindow(windowSize);
    this.state = state;
    this.announcedModes = state.modes;
  }

  /** No viewer, no joiner and no join under way: the subscription may go. */
  get idle(): boolean {
    return this.viewers.size === 0 && this.joiners.size === 0 && this.joining === 0;
  }

  /**
   * A line this gateway holds and has not seen retracted: delivered (the
   * window, which drops retracted lines) or still pending, unless a retract
   * or clear pending after it takes it back.
   */
  recentLine(id: string): Message | undefined {
    const delivered = this.window.find(id);
    if (delivered !== undefined) return delivered;
    let found: Message | undefined;
    for (const item of this.pending) {
      if (item.kind === 'msg') {
        if (item.message.id === id) found = item.message;
      } else if (found !== undefined && takesBack(item.content, found)) {
        found = undefined;
      }
    }
    return found;
  }

  /** Messages after `seq` this channel has received: delivered ones (the window), then pending ones. */
  seenAfter(seq: number): Message[] {
    const seen = this.window.after(seq);
    for (const item of this.pending) if (item.kind === 'msg' && item.message.seq > seq) seen.push(item.message);
    return seen;
  }
}
