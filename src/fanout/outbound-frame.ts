import type { HeldView, ReviewOutcome } from '../bus/bus.ts';
import type { ModlogEntry } from '../protocol/modlog-entry.ts';
import type { Message, Modes, StreamState, SystemNotice, UserRef } from '../protocol/types.ts';

/**
 * What a frame says; each transport's encoding turns it into its own bytes.
 * The retracted and cleared messages are those this gateway still had in its
 * window, so an IRC client can be told whose line went.
 */
export type FrameContent =
  | { kind: 'msgs'; stream: string; messages: readonly Message[] }
  /** A system notice (a message with `notice`): a frame of its own, v1 `notice` and IRC USERNOTICE. */
  | { kind: 'notice'; stream: string; message: Message; notice: SystemNotice }
  | { kind: 'retract'; stream: string; ids: readonly string[]; reason: string; known: readonly Message[]; by?: UserRef }
  | { kind: 'clear'; stream: string; user: string; name: string | undefined; reason: 'ban' | 'timeout'; seconds?: number }
  /** A moderator's /clear: every line, for everyone. */
  | { kind: 'clearAll'; stream: string }
  /** A restricted user's line, for moderators and the author only (moderator-frames.ts). */
  | { kind: 'restricted'; stream: string; message: Message }
  /** A moderator's warning, for the warned user only (moderator-frames.ts). */
  | { kind: 'warned'; stream: string; user: string; reason: string }
  | { kind: 'state'; stream: string; state: StreamState; changedModes: ReadonlyArray<keyof Modes> }
  /** For moderators only (moderator-frames.ts). */
  | { kind: 'held'; stream: string; held: HeldView }
  /** For moderators and the held line's author. */
  | { kind: 'reviewed'; stream: string; id: string; user: string; text: string; outcome: ReviewOutcome; seq?: number }
  /** For moderators only: an audit log entry. */
  | { kind: 'modlog'; stream: string; entry: ModlogEntry };

/** One transport's form (JSON text, WebSocket bytes, an SSE event, IRC lines) of what many viewers are handed. */
export interface Encoding<Shared, Form> {
  encode(shared: Shared): Form;
}

/**
 * Something handed to many viewers, with each encoding's form of it built by
 * the first viewer that needs it and kept for the rest: bytes are encoded
 * once per flush per encoding, never per socket. A gateway has a handful of
 * encodings, so two short arrays beat a map.
 */
abstract class SharedForms {
  #encodings: unknown[] | undefined;
  #forms: unknown[] | undefined;

  formIn<Form>(encoding: Encoding<this, Form>): Form {
    const at = this.#encodings === undefined ? -1 : this.#encodings.indexOf(encoding);
    if (at !== -1) return this.#forms![at] as Form;
    const form = encoding.encode(this);
    (this.#encodings ??= []).push(encoding);
    (this.#forms ??= []).push(form);
    return form;
  }
}

/** One server frame bound for many viewers: every viewer of a flush is handed the same object. */
export class OutboundFrame extends SharedForms {
  readonly content: FrameContent;
  /** Chat lines (notices included) in this frame (0 for retract, clear, state). */
  readonly lines: number;
  /** Seq of the newest message in this frame, for SSE event ids. */
  readonly lastSeq: number | undefined;

  constructor(content: FrameContent, lines: number, lastSeq: number | undefined) {
    super();
    this.content = content;
    this.lines = lines;
    this.lastSeq = lastSeq;
  }
}

/**
 * The frames of one flush, in order, bound for many viewers: a socket gets
 * them in one write. A write system call costs about the same whatever its
 * size, so a flush that carries a batch of lines and a state frame (the
 * stream's rate and viewer count, once a second in a busy stream) costs one
 * call per viewer, not two.
 */
export class OutboundBatch extends SharedForms {
  readonly frames: readonly OutboundFrame[];
  /** Chat lines in all the frames. */
  readonly lines: number;

  constructor(frames: readonly OutboundFrame[]) {
    super();
    this.frames = frames;
    let lines = 0;
    for (const frame of frames) lines += frame.lines;
    this.lines = lines;
  }
}

/** What a stream hub delivers to: a WebSocket connection, an IRC session or an SSE response. */
export interface Viewer {
  /** Counted once per person by the viewer counter (user id, or connection id when anonymous). */
  readonly viewerId: string;
  /** Signed in when it joined (not an anonymous socket): only such viewers put a stream in the stream picker. */
  readonly signedIn: boolean;
  deliver(batch: OutboundBatch): void;
}
