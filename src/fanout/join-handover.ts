import type { BrokerHistory, HistoryPage } from '../broker/broker.ts';
import type { Message, StreamState } from '../protocol/types.ts';
import type { Channel } from './channel.ts';

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

const CATCH_UP_RETRIES = 3;

/**
 * History from the channel's window when the window is known to hold it:
 * a reconnect storm or a viral join then costs no history read at all.
 */
export function historyFromWindow(channel: Channel, request: JoinRequest): HistoryPage | undefined {
  if (channel.resyncing > 0) return undefined;
  const complete = Math.max(channel.coveredAfter, channel.window.evictedUpTo);
  if (request.since !== undefined) {
    // Ahead of what this gateway has seen (or of the stream): history knows the stream's newest seq.
    if (request.since < complete || request.since > channel.newestSeq) return undefined;
    const messages = channel.seenAfter(request.since);
    return messages.length > request.resumeMax ? undefined : { messages, lastSeq: channel.newestSeq };
  }
  // Only the part after `complete` is known to have no hole; before it, history decides.
  const tail = channel.seenAfter(complete);
  if (tail.length < request.history && complete > 0) return undefined;
  return { messages: tail.slice(Math.max(0, tail.length - request.history)), lastSeq: channel.newestSeq };
}

/**
 * Joins the history page with what this gateway received while it was read, up
 * to the newest message it has seen (pending ones included: a join never
 * forces an early flush, so it does not break a big stream's coalescing).
 * The viewer's floor (its seq) keeps those, and anything older that arrives
 * later, from reaching it twice.
 */
export async function handOver(channel: Channel, page: HistoryPage, request: JoinRequest, broker: BrokerHistory): Promise<JoinResult> {
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
      // The stream outruns the history reads: say so rather than hide a gap.
      return { seq, history, state: channel.state, truncated: true };
    }
    if (channel.window.evictedUpTo <= seq) {
      const catchUp = channel.seenAfter(seq);
      if (catchUp.length === 0) return { seq, history, state: channel.state, truncated: false };
      return { seq: catchUp[catchUp.length - 1]!.seq, history: history.concat(catchUp), state: channel.state, truncated: false };
    }
    // The window overflowed while history was read: read on from where the page ended.
    const next = await broker.since(channel.stream, seq, request.resumeMax);
    history = history.concat(next.messages);
    lastSeq = next.lastSeq;
  }
}
