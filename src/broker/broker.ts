import type { DurableLog } from '../log/log.ts';

export type { HistoryPage } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';

/**
 * A message as the lifecycle hands it over: everything but the seq; in
 * multi-region mode also its HLC stamp, which is stored with it but is not
 * part of the wire message (`stamped` leaves it out).
 */
export type Draft = Omit<Message, 'seq'> & { hlc?: string };

/**
 * History as every reader sees it (joins, resumes, resyncs after a bus gap,
 * HTTP polling and replay): oldest first, displayable messages only, and in
 * step with the live publish, so a reader that subscribed before reading
 * misses nothing. `lastSeq` is the newest seq history vouches for: every
 * newer message is published after the read.
 */
export type BrokerHistory = Pick<DurableLog, 'latest' | 'since' | 'range' | 'lastSeq'>;

/**
 * Where an accepted message goes: the broker stamps its per-stream seq,
 * makes it durable and publishes it live as one step, and reads history
 * back. It is the one owner of the seq and of history reads: nothing else
 * hands out a seq, and readers never go to the log behind it. The embedded
 * and the cluster broker differ in how they keep a stream's order across
 * writers (docs/decisions.md, "Publish after the durable append" and
 * "Cluster mode stamps and publishes in one step, before Kafka's ack").
 */
export interface Broker extends BrokerHistory {
  /**
   * Resolves with the stamped message once the log holds it. Rejects if it
   * could not be stamped or stored; a rejected message is left shown nowhere
   * and stored nowhere, and its seq holds back no later message.
   * `sampled` messages take a seq and are stored, but never broadcast.
   */
  publish(draft: Draft, sampled: boolean): Promise<Message>;
}

/** The wire message with its seq; fields in PROTOCOL.md order, so JSON output is stable. */
export function stamped(draft: Draft, seq: number): Message {
  const message: Message = { id: draft.id, stream: draft.stream, seq, ts: draft.ts, user: draft.user, text: draft.text };
  if (draft.emotes !== undefined) message.emotes = draft.emotes;
  if (draft.reply !== undefined) message.reply = draft.reply;
  if (draft.announcement !== undefined) message.announcement = draft.announcement;
  if (draft.notice !== undefined) message.notice = draft.notice;
  if (draft.first === true) message.first = true;
  if (draft.returning === true) message.returning = true;
  if (draft.reviewed === true) message.reviewed = true;
  if (draft.origin !== undefined) message.origin = draft.origin;
  return message;
}
