import type { Message } from '../protocol/types.ts';

/** A message as the lifecycle hands it over: everything but the seq. */
export type Draft = Omit<Message, 'seq'>;

/**
 * Stamps each message's per-stream seq, makes it durable and puts the
 * displayable ones on the live bus so that every gateway sees a stream's
 * messages in seq order. The embedded and the cluster implementation differ
 * in how they keep that order across writers, which is why stamping lives
 * here and not in the lifecycle.
 */
export interface MessagePublisher {
  /**
   * Resolves with the stamped message once the log holds it. Rejects if it
   * could not be stamped or stored; a rejected message is never shown.
   * `sampled` messages are stored but not broadcast.
   */
  commit(draft: Draft, sampled: boolean): Promise<Message>;
}

/** The wire message with its seq; fields in PROTOCOL.md order, so JSON output is stable. */
export function stamped(draft: Draft, seq: number): Message {
  const message: Message = { id: draft.id, stream: draft.stream, seq, ts: draft.ts, user: draft.user, text: draft.text };
  if (draft.emotes !== undefined) message.emotes = draft.emotes;
  return message;
}
