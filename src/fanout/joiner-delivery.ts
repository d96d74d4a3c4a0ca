import type { Metrics } from '../observability/metrics.ts';
import type { Channel } from './channel.ts';
import type { FlushFrame } from './flush-frames.ts';
import { OutboundBatch, OutboundFrame, type Viewer } from './outbound-frame.ts';

/**
 * The rare path: each just-attached viewer gets the flush cut down to what
 * it has not had yet (frames other than lines all reach it), as one write,
 * and from its first newer line on it is an ordinary viewer.
 */
export function deliverToJoiners(channel: Channel, frames: readonly FlushFrame[], metrics: Metrics, audience: (viewer: Viewer) => boolean = () => true): void {
  for (const [viewer, joiner] of channel.joiners) {
    if (!audience(viewer)) continue;
    const own: OutboundFrame[] = [];
    let caughtUp = false;
    for (const { frame, messages } of frames) {
      if (messages === undefined || caughtUp) {
        own.push(frame);
        continue;
      }
      if (messages[messages.length - 1]!.seq <= joiner.floor) continue;
      const fresh = messages.findIndex((m) => m.seq > joiner.floor);
      const rest = messages.slice(fresh);
      own.push(fresh === 0
        ? frame
        : new OutboundFrame({ kind: 'msgs', stream: channel.stream, messages: rest }, rest.length, frame.lastSeq));
      caughtUp = true;
    }
    if (own.length > 0) {
      const batch = new OutboundBatch(own);
      viewer.deliver(batch);
      metrics.deliveries.inc(batch.lines);
    }
    if (caughtUp) {
      channel.joiners.delete(viewer);
      channel.viewers.set(viewer, joiner.viewerId);
    }
  }
}
