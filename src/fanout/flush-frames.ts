import type { Message } from '../protocol/types.ts';
import type { Channel } from './channel.ts';
import { OutboundFrame, type FrameContent } from './outbound-frame.ts';

/** A frame of one flush; message frames keep their parts so a joiner can get a cut-down copy. */
export interface FlushFrame {
  frame: OutboundFrame;
  messages?: Message[];
}

/**
 * Turns a channel's pending events into the frames of one flush: runs of
 * messages become one frame each (a v1 msg or batch), and the stream's state
 * goes at most once per state interval. What the frames say only: each
 * transport's encoding turns them into bytes, once per flush.
 */
export class FlushFramer {
  readonly #stateIntervalMs: number;
  /** A throttled state frame is due: the channel needs a flush. */
  readonly #onStateDue: (channel: Channel) => void;

  constructor(stateIntervalMs: number, onStateDue: (channel: Channel) => void) {
    this.#stateIntervalMs = stateIntervalMs;
    this.#onStateDue = onStateDue;
  }

  take(channel: Channel): FlushFrame[] {
    const frames: FlushFrame[] = [];
    const pending = channel.pending;
    channel.pending = [];
    let messages: Message[] = [];
    const endRun = (): void => {
      if (messages.length === 0) return;
      const content: FrameContent = { kind: 'msgs', stream: channel.stream, messages };
      frames.push({ frame: new OutboundFrame(content, messages.length, messages[messages.length - 1]!.seq), messages });
      messages = [];
    };
    for (const item of pending) {
      const notice = item.kind === 'msg' ? item.message.notice : undefined;
      if (item.kind === 'msg' && notice !== undefined) {
        // A notice is a line of history, but a frame of its own live.
        endRun();
        channel.window.push(item.message);
        const content: FrameContent = { kind: 'notice', stream: channel.stream, message: item.message, notice };
        frames.push({ frame: new OutboundFrame(content, 1, item.message.seq), messages: [item.message] });
      } else if (item.kind === 'msg') {
        channel.window.push(item.message);
        messages.push(item.message);
      } else {
        endRun();
        frames.push({ frame: new OutboundFrame(item.content, 0, undefined) });
      }
    }
    endRun();
    if (channel.stateDirty) this.#takeState(channel, frames);
    return frames;
  }

  #takeState(channel: Channel, frames: FlushFrame[]): void {
    const now = performance.now();
    if (now - channel.lastStateAt >= this.#stateIntervalMs) {
      channel.stateDirty = false;
      channel.lastStateAt = now;
      const content: FrameContent = { kind: 'state', stream: channel.stream, state: channel.state, changedModes: channel.changedModes };
      channel.changedModes = [];
      frames.push({ frame: new OutboundFrame(content, 0, undefined) });
      return;
    }
    // Throttled: at the end of the interval the state frame goes with the
    // stream's next flush, in its window, so a busy stream's lines and
    // state share one flush (one write per viewer) instead of the state
    // forcing a flush of its own between two windows.
    channel.stateTimer ??= setTimeout(() => {
      channel.stateTimer = undefined;
      this.#onStateDue(channel);
    }, channel.lastStateAt + this.#stateIntervalMs - now);
  }
}
