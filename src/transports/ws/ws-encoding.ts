import type { Encoding, OutboundBatch, OutboundFrame } from '../../fanout/outbound-frame.ts';
import { v1Json } from '../../protocol/v1-shared-frames.ts';
import { wsDeflatedTextFrame } from '../../net/ws-deflate.ts';
import { wsTextFrame } from '../../net/ws-frame.ts';

/** A fan-out frame as one complete WebSocket text frame of its v1 JSON, framed once for every socket. */
export const wsFrameBytes: Encoding<OutboundFrame, Buffer> = {
  encode: (frame) => wsTextFrame(frame.formIn(v1Json)),
};

/**
 * The same compressed for connections that negotiated permessage-deflate:
 * deflated once for all of them, or the plain frame where deflate does not pay.
 */
export const wsDeflatedFrameBytes: Encoding<OutboundFrame, Buffer> = {
  encode: (frame) => wsDeflatedTextFrame(frame.formIn(v1Json)) ?? frame.formIn(wsFrameBytes),
};

/** A flush's frames in one form, back to back: one write per socket. */
function batchOf(frameBytes: Encoding<OutboundFrame, Buffer>): Encoding<OutboundBatch, Buffer> {
  return {
    encode: (batch) => batch.frames.length === 1 ? batch.frames[0]!.formIn(frameBytes) : Buffer.concat(batch.frames.map((f) => f.formIn(frameBytes))),
  };
}

/** Built from the frames' own bytes, which a joiner's cut-down flush shares. */
export const wsBatchBytes = batchOf(wsFrameBytes);
export const wsDeflatedBatchBytes = batchOf(wsDeflatedFrameBytes);
