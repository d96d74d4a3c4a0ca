const FIN_TEXT = 0x81; // FIN + text opcode
const RSV1 = 0x40; // permessage-deflate: this message's payload is compressed (RFC 7692 section 6)

/** A frame of `length` payload bytes with its header written (RFC 6455 section 5.2, unmasked): the payload goes after `frame.length - length`. */
function frameFor(firstByte: number, length: number): Buffer {
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = firstByte;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  return frame;
}

/** An unmasked, unfragmented WebSocket text frame, for writing the same bytes to many sockets. */
export function wsTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const frame = frameFor(FIN_TEXT, length);
  frame.write(text, frame.length - length, 'utf8');
  return frame;
}

/** The same for a text message whose payload is already permessage-deflate compressed: RSV1 set. */
export function wsCompressedTextFrame(payload: Buffer): Buffer {
  const frame = frameFor(FIN_TEXT | RSV1, payload.length);
  payload.copy(frame, frame.length - payload.length);
  return frame;
}
