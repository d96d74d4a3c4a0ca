import type { Encoding, OutboundBatch, OutboundFrame } from '../../fanout/outbound-frame.ts';
import { v1Json } from '../../protocol/v1-shared-frames.ts';
import { wsTextFrame } from '../../net/ws-frame.ts';

/** A fan-out frame as one complete WebSocket text frame of its v1 JSON, framed once for every socket. */
export const wsFrameBytes: Encoding<OutboundFrame, Buffer> = {
  encode: (frame) => wsTextFrame(frame.formIn(v1Json)),
};

/**
 * A flush's frames as WebSocket bytes back to back: one write per socket.
 * Built from the frames' own bytes, which a joiner's cut-down flush shares.
 */
export const wsBatchBytes: Encoding<OutboundBatch, Buffer> = {
  encode: (batch) => batch.frames.length === 1 ? batch.frames[0]!.formIn(wsFrameBytes) : Buffer.concat(batch.frames.map((f) => f.formIn(wsFrameBytes))),
};
