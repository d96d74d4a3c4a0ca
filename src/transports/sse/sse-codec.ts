import type { OutboundBatch } from '../../fanout/outbound-frame.ts';
import type { JoinResult } from '../../fanout/stream-hub.ts';
import { ChatError } from '../../protocol/errors.ts';
import { joinedFrame, reconnectFrame } from '../../protocol/server-frames.ts';
import type { Codec, Decoded } from '../../session/codec.ts';
import type { Transport } from '../../session/transport.ts';
import { sseBatchEvents } from './sse-encoding.ts';

/**
 * Server-Sent Events: v1 JSON frames as events whose id is the newest seq.
 * Read only: nothing arrives to decode, and a refusal has no words (the
 * route cuts a reader whose join was refused).
 */
export class SseCodec implements Codec<never, undefined> {
  opened(): string {
    return '';
  }

  decode(): Decoded<never, undefined> {
    return { ok: false, ref: undefined, refusal: new ChatError('invalid', 'an SSE reader sends nothing') };
  }

  refOfUnread(): undefined {
    return undefined;
  }

  handle(): undefined {
    return undefined;
  }

  refusal(): string {
    return '';
  }

  joined(stream: string, result: JoinResult): string {
    return `id: ${result.seq}\ndata: ${joinedFrame(stream, result.seq, result.history, result.state, result.truncated)}\n\n`;
  }

  left(): string {
    return '';
  }

  reconnect(afterMs: number): string {
    return `data: ${reconnectFrame(afterMs)}\n\n`;
  }

  farewell(): string {
    return '';
  }

  deliver(batch: OutboundBatch, transport: Transport): void {
    transport.write(batch.formIn(sseBatchEvents));
  }
}
