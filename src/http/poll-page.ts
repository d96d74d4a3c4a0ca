import type { Identity } from '../auth/identity.ts';
import type { BrokerHistory } from '../broker/broker.ts';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import type { StreamSettings } from '../chat/stream-settings.ts';
import type { Message } from '../protocol/types.ts';
import { delayCutoff, olderThan } from './delayed-history.ts';

export interface PollSources {
  broker: BrokerHistory;
  settings: StreamSettings;
  moderation: ModeratorActions;
}

/** One page of polling: the lines and the seq to poll on from (`next`). */
export interface PollPage {
  messages: Message[];
  next: number;
}

/**
 * One poll of a stream's lines, shared by every HTTP polling API (Chorus's
 * `after`, YouTube's page tokens): the lines after `after` (the newest ones
 * without it), cut by the chat delay for readers other than moderators, and
 * the cursor of the next poll, which never skips a line and never waits for
 * a seq the stream will not reach.
 */
export async function pollPage(d: PollSources, identity: Identity | null, stream: string, after: number | undefined, limit: number): Promise<PollPage> {
  const read = after === undefined ? await d.broker.latest(stream, limit) : await d.broker.since(stream, after, limit);
  const cutoff = await delayCutoff(d.settings, d.moderation, identity, stream, Date.now());
  const shown = cutoff === undefined ? read.messages : olderThan(read.messages, cutoff);
  if (shown.length < read.messages.length) {
    // Cut by the chat delay: the next poll starts before the first line held back.
    return { messages: shown, next: shown.length > 0 ? shown[shown.length - 1]!.seq : read.messages[0]!.seq - 1 };
  }
  const last = read.messages.length > 0 ? read.messages[read.messages.length - 1]!.seq : undefined;
  // A full page means more may follow at once; otherwise the client is caught up to the stream's newest seq
  // (also when `after` was beyond it: clamped, or the poller would wait for seqs the stream never reaches).
  const next = last !== undefined && read.messages.length === limit ? last : read.lastSeq;
  return { messages: read.messages, next };
}
