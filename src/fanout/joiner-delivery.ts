import type { Metrics } from '../observability/metrics.ts';
import type { Channel } from './channel.ts';
import type { OwnWrite } from './chunked-write.ts';
import type { FlushFrame } from './flush-frames.ts';
import { OutboundBatch, OutboundFrame, type Viewer } from './outbound-frame.ts';

/**
 * Each just-attached viewer gets the flush cut down to what it has not had
 * yet (frames other than lines all reach it), as one write, and from its
 * first newer line on it is an ordinary viewer (promoted here; the writes are
 * returned, for the flush to make in chunks). A joiner with nothing to cut
 * (a flush of state frames, or of lines all newer than its history) is handed
 * `whole`, the batch the stream's viewers get: a join storm on a quiet stream
 * keeps thousands of joiners waiting for a newer line, and a batch of their
 * own each flush would be built and encoded once per joiner.
 */
export function planJoinerWrites(channel: Channel, frames: readonly FlushFrame[], whole: OutboundBatch, metrics: Metrics, audience: (viewer: Viewer) => boolean = () => true): OwnWrite[] {
  const writes: OwnWrite[] = [];
  for (const [viewer, joiner] of channel.joiners) {
    if (!audience(viewer)) continue;
    const { batch, caughtUp } = joinerBatch(channel.stream, frames, whole, joiner.floor);
    if (batch !== undefined) {
      writes.push({ viewer, batch });
      metrics.deliveries.inc(batch.lines);
    }
    if (caughtUp) {
      channel.joiners.delete(viewer);
      channel.viewers.set(viewer, joiner.viewerId);
    }
  }
  return writes;
}

/** What a joiner whose history reached `floor` gets of a flush, and whether the flush brought it a newer line. */
function joinerBatch(stream: string, frames: readonly FlushFrame[], whole: OutboundBatch, floor: number): { batch: OutboundBatch | undefined; caughtUp: boolean } {
  // Undefined until a frame differs from the flush's: until then the joiner's batch is the flush's own.
  let own: OutboundFrame[] | undefined;
  let caughtUp = false;
  for (let i = 0; i < frames.length; i++) {
    const { frame, messages } = frames[i]!;
    let out: OutboundFrame | undefined = frame;
    if (messages !== undefined && !caughtUp) {
      if (messages[messages.length - 1]!.seq <= floor) {
        out = undefined;
      } else {
        const fresh = messages.findIndex((m) => m.seq > floor);
        if (fresh > 0) {
          const rest = messages.slice(fresh);
          out = new OutboundFrame({ kind: 'msgs', stream, messages: rest }, rest.length, frame.lastSeq);
        }
        caughtUp = true;
      }
    }
    if (out !== frame && own === undefined) own = frames.slice(0, i).map((f) => f.frame);
    if (own !== undefined && out !== undefined) own.push(out);
  }
  if (own === undefined) return { batch: whole, caughtUp };
  return { batch: own.length > 0 ? new OutboundBatch(own) : undefined, caughtUp };
}
