import type { WebSocket } from 'ws';

interface SenderInternals {
  _state: number;
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}

/**
 * Writes a text frame framed once for many sockets (`frameBytes`) as one
 * write. ws queues frames only while it is busy with a Blob or compression
 * (both off here); then the text goes through its queue, which keeps order.
 */
export function writePreframed(ws: WebSocket, frameBytes: Buffer, text: string): void {
  const sender = (ws as unknown as { _sender: SenderInternals })._sender;
  if (sender._state === 0) sender.sendFrame([frameBytes]);
  else ws.send(text);
}
