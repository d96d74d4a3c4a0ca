import type { Encoding, OutboundBatch, OutboundFrame } from '../../fanout/outbound-frame.ts';
import { v1Json } from '../../protocol/v1-shared-frames.ts';

/** A fan-out frame as a Server-Sent Event; its id is the newest seq, so Last-Event-ID resumes right after it. */
export const sseEvent: Encoding<OutboundFrame, string> = {
  encode: (frame) => `${frame.lastSeq === undefined ? '' : `id: ${frame.lastSeq}\n`}data: ${frame.formIn(v1Json)}\n\n`,
};

/** A flush's events back to back: one write per reader. */
export const sseBatchEvents: Encoding<OutboundBatch, string> = {
  encode: (batch) => batch.frames.length === 1 ? batch.frames[0]!.formIn(sseEvent) : batch.frames.map((f) => f.formIn(sseEvent)).join(''),
};
