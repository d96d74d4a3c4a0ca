import { constants, deflateRawSync } from 'node:zlib';
import { wsCompressedTextFrame } from './ws-frame.ts';

/**
 * Texts shorter than this go uncompressed: deflate saves a few bytes at best
 * on them (an ack-sized frame can even grow) and costs a zlib stream each.
 */
export const DEFLATE_MIN_BYTES = 128;

/**
 * The window our compressed messages need: a connection whose client limited
 * server_max_window_bits below it is written plain frames (RFC 7692 allows
 * uncompressed messages on a compressing connection).
 */
export const DEFLATE_WINDOW_BITS = 15;

/** RFC 7692 section 7.2.1: a message ends with a sync flush, whose empty block 00 00 ff ff the sender removes. */
const SYNC_FLUSH_TAIL = 4;

/**
 * `text` as one permessage-deflate message that stands alone (no context
 * takeover), framed for many sockets; undefined when compressing does not
 * make it smaller, so the plain frame goes instead.
 */
export function wsDeflatedTextFrame(text: string): Buffer | undefined {
  const plainBytes = Buffer.byteLength(text);
  if (plainBytes < DEFLATE_MIN_BYTES) return undefined;
  const deflated = deflateRawSync(text, { finishFlush: constants.Z_SYNC_FLUSH, windowBits: DEFLATE_WINDOW_BITS });
  const payload = deflated.subarray(0, deflated.length - SYNC_FLUSH_TAIL);
  return payload.length < plainBytes ? wsCompressedTextFrame(payload) : undefined;
}

/**
 * Whether a connection whose upgrade answered with these headers takes the
 * shared compressed frames: permessage-deflate accepted with
 * server_no_context_takeover, and a window no smaller than ours. ws shows the
 * negotiated parameters publicly only here (`ws.extensions` names the
 * extension, not its parameters).
 */
export function takesSharedDeflate(responseHeaders: readonly string[]): boolean {
  const line = responseHeaders.find((h) => /^sec-websocket-extensions:/i.test(h));
  if (line === undefined) return false;
  const params = line.slice(line.indexOf(':') + 1).split(';').map((p) => p.trim().toLowerCase());
  if (params[0] !== 'permessage-deflate' || !params.includes('server_no_context_takeover')) return false;
  const window = params.find((p) => p.startsWith('server_max_window_bits'));
  return window === undefined || Number(window.split('=')[1]) >= DEFLATE_WINDOW_BITS;
}
