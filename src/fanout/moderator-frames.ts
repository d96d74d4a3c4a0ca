import type { BusEvent } from '../bus/bus.ts';
import type { Channel } from './channel.ts';
import { OutboundBatch, OutboundFrame, type FrameContent, type Viewer } from './outbound-frame.ts';

type ReviewEvent = Extract<BusEvent, { kind: 'held' | 'reviewed' }>;

/**
 * The review queue's frames: a held line goes to the stream's moderators
 * only, its outcome to them and to its author. They are rare (a moderator's
 * decision, automod's hold), so they skip the flush and its shared batch and
 * go at once to their few viewers, one frame built once for all of them. The
 * author is found by a walk over the stream's viewers, which only an outcome
 * costs, never a chat line.
 */
export function deliverReviewEvent(channel: Channel, event: ReviewEvent): void {
  const content: FrameContent = event.kind === 'held'
    ? { kind: 'held', stream: channel.stream, held: event.held }
    : { kind: 'reviewed', stream: channel.stream, id: event.id, user: event.user, text: event.text, outcome: event.outcome, ...(event.seq !== undefined ? { seq: event.seq } : {}) };
  const audience = new Set<Viewer>(channel.moderators);
  if (event.kind === 'reviewed') {
    for (const [viewer, viewerId] of channel.viewers) if (viewer.signedIn && viewerId === event.user) audience.add(viewer);
    for (const [viewer, joiner] of channel.joiners) if (viewer.signedIn && joiner.viewerId === event.user) audience.add(viewer);
  }
  deliverNow(audience, content);
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
