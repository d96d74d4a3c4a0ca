import type { WebSocket } from 'ws';

interface SenderInternals {
  _state: number;
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}

/**
 * Writes bytes framed once for many sockets (one or more complete text
 * frames) as one write, and says whether it did. ws queues frames only while
 * it is busy with a Blob or compression (both off here); then it returns
 * false and the caller sends the texts through `ws.send`, whose queue keeps order.
 */
export function writePreframed(ws: WebSocket, frameBytes: Buffer): boolean {
  const sender = (ws as unknown as { _sender: SenderInternals })._sender;
  if (sender._state !== 0) return false;
  sender.sendFrame([frameBytes]);
  return true;
}
