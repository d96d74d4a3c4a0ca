import type { BusEvent } from '../bus/bus.ts';
import type { Channel } from './channel.ts';
import { OutboundBatch, OutboundFrame, type FrameContent, type Viewer } from './outbound-frame.ts';

type ModeratorEvent = Extract<BusEvent, { kind: 'held' | 'reviewed' | 'restricted' | 'warned' }>;

/**
 * The frames for moderators (and one author) only: a held line goes to the
 * stream's moderators, its outcome to them and to its author, a
 * restricted user's line to them and to that user, and a warning to the
 * warned user alone. They are rare (a
 * moderator's decision, automod's hold, a shadow-banned user), so they skip
 * the flush and its shared batch, which every other viewer is handed and
 * which therefore never holds them, and go at once to their few viewers, one
 * frame built once for all of them. The author is found by a walk over the
 * stream's viewers, which only these frames cost, never a chat line.
 */
export function deliverModeratorEvent(channel: Channel, event: ModeratorEvent): void {
  const audience = new Set<Viewer>(event.kind === 'warned' ? [] : channel.moderators);
  const author = authorOf(event);
  if (author !== undefined) {
    for (const [viewer, viewerId] of channel.viewers) if (viewer.signedIn && viewerId === author) audience.add(viewer);
    for (const [viewer, joiner] of channel.joiners) if (viewer.signedIn && joiner.viewerId === author) audience.add(viewer);
  }
  deliverNow(audience, contentOf(channel.stream, event));
}

/** An audit log entry (the v1 `modlog` frame): to the stream's moderators only, at once, as a held line is. */
export function deliverToModerators(channel: Channel, content: Extract<FrameContent, { kind: 'modlog' }>): void {
  deliverNow(channel.moderators, content);
}

/** One frame, built once, to a few viewers, outside any flush. */
function deliverNow(audience: ReadonlySet<Viewer>, content: FrameContent): void {
  if (audience.size === 0) return;
  const batch = new OutboundBatch([new OutboundFrame(content, 0, undefined)]);
  for (const viewer of audience) viewer.deliver(batch);
}

function authorOf(event: ModeratorEvent): string | undefined {
  if (event.kind === 'reviewed' || event.kind === 'warned') return event.user;
  return event.kind === 'restricted' ? event.message.user.id : undefined;
}

function contentOf(stream: string, event: ModeratorEvent): FrameContent {
  switch (event.kind) {
    case 'held':
      return { kind: 'held', stream, held: event.held };
    case 'reviewed':
      return { kind: 'reviewed', stream, id: event.id, user: event.user, text: event.text, outcome: event.outcome, ...(event.seq !== undefined ? { seq: event.seq } : {}) };
    case 'restricted':
      return { kind: 'restricted', stream, message: event.message };
    case 'warned':
      return { kind: 'warned', stream, user: event.user, reason: event.reason };
  }
}
