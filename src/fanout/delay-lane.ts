import type { Message } from '../protocol/types.ts';
import type { FlushFrame } from './flush-frames.ts';
import { OutboundFrame } from './outbound-frame.ts';

interface Held {
  frame: FlushFrame;
  /** When the frame may reach delayed viewers (ms since epoch). */
  releaseAt: number;
}

/**
 * The chat delay (mode `chatDelaySeconds`): the frames of a stream's flushes
 * on their way to viewers other than the broadcaster and moderators, who got
 * them at once. A frame waits until the newest line in it is `delayMs` old,
 * so a line a viewer has been handed is always at least that old (the rule
 * joins cut history by: join-handover.ts's delayedHistory). A line deleted, or
 * a user cleared, while their lines wait here is taken out: it never reaches
 * a delayed viewer. Released frames keep their objects, so their bytes are
 * the ones moderators were sent, built once; a frame that lost a line is
 * built again, once, for every delayed viewer.
 */
export class DelayLane {
  #held: Held[] = [];
  /** The newest seq handed to delayed viewers; history up to it is theirs. */
  releasedUpTo = 0;
  timer: NodeJS.Timeout | undefined;
  /** A chunked release in progress: the next release waits for it, so frames reach every viewer in order. */
  writing = false;

  get empty(): boolean {
    return this.#held.length === 0;
  }

  /** When the oldest held frame may go, if any. */
  get nextReleaseAt(): number | undefined {
    return this.#held[0]?.releaseAt;
  }

  /**
   * Holds a flush's frames, each until its newest line is `delayMs` old (a
   * frame without lines waits for the one before it, to keep the order), after
   * taking out of what is held the lines its retractions and clears remove.
   */
  hold(frames: readonly FlushFrame[], delayMs: number, now: number): void {
    for (const flushFrame of frames) {
      const content = flushFrame.frame.content;
      if (content.kind === 'retract') {
        const ids = new Set(content.ids);
        this.#drop((m) => ids.has(m.id));
      } else if (content.kind === 'clear') {
        this.#drop((m) => m.user.id === content.user);
      } else if (content.kind === 'clearAll') {
        this.#drop(() => true);
      }
      const newest = flushFrame.messages?.[flushFrame.messages.length - 1]?.ts;
      const previous = this.#held[this.#held.length - 1]?.releaseAt ?? 0;
      this.#held.push({ frame: flushFrame, releaseAt: Math.max(previous, newest === undefined ? now : newest + delayMs) });
    }
  }

  /** The frames due at `now`, oldest first, taken out of the lane. */
  takeDue(now: number): FlushFrame[] {
    let due = 0;
    while (due < this.#held.length && this.#held[due]!.releaseAt <= now) due++;
    const frames = this.#held.splice(0, due).map((h) => h.frame);
    for (const { messages } of frames) if (messages !== undefined) this.releasedUpTo = Math.max(this.releasedUpTo, messages[messages.length - 1]!.seq);
    return frames;
  }

  /** Everything held, due or not (the delay was switched off, or the stream is closing). */
  takeAll(): FlushFrame[] {
    return this.takeDue(Infinity);
  }

  /** Takes the matching lines out of the held frames; a frame left without lines goes. */
  #drop(matches: (m: Message) => boolean): void {
    const kept: Held[] = [];
    for (const held of this.#held) {
      const messages = held.frame.messages;
      if (messages === undefined || !messages.some(matches)) {
        kept.push(held);
        continue;
      }
      const rest = messages.filter((m) => !matches(m));
      if (rest.length === 0) continue;
      const content = { kind: 'msgs' as const, stream: rest[0]!.stream, messages: rest };
      kept.push({ frame: { frame: new OutboundFrame(content, rest.length, rest[rest.length - 1]!.seq), messages: rest }, releaseAt: held.releaseAt });
    }
    this.#held = kept;
  }
}
