import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/**
 * The one place Chorus reaches into `ws` internals. ws has no public call
 * that writes bytes which already are frames: `send` frames what it is given.
 * Its sender's `sendFrame` is that call (Socket.IO's engine.io uses it for
 * pre-encoded frames too), and `_state` is 0 while the sender is idle.
 * Writing to the upgraded socket directly instead would need the socket
 * carried through both gateways and would rest on the same internal fact,
 * unchecked. `sendFrame` is checked when this module loads, and every name by
 * test/integration/ws-write.test.ts against the installed ws over a real
 * socket: a ws release that changes them fails loudly, naming this file.
 */
interface SenderInternals {
  _state: number;
  sendFrame(list: Buffer[], cb?: (err?: Error) => void): void;
}

const SENDER_IDLE = 0; // ws lib/sender.js: DEFAULT

const Sender = (wsModule as unknown as { Sender?: { prototype: Partial<SenderInternals> } }).Sender;
if (typeof Sender?.prototype.sendFrame !== 'function') {
  throw new Error('ws no longer has Sender#sendFrame: update src/net/ws-write.ts for this ws release (docs/decisions.md, "One flush, framed once")');
}

/**
 * Writes bytes framed once for many sockets (one or more complete text
 * frames) as one write, and says whether it did. ws queues frames only while
 * it is busy with a Blob or its own compression (neither runs here: the
 * gateways send no Blobs, and with permessage-deflate on ws's threshold is
 * Infinity, src/transports/ws/ws-gateway.ts); then it returns
 * false and the caller sends the texts through `ws.send`, whose queue keeps order.
 */
export function writePreframed(ws: WebSocket, frameBytes: Buffer): boolean {
  const sender = (ws as unknown as { _sender: SenderInternals })._sender;
  if (sender._state !== SENDER_IDLE) return false;
  sender.sendFrame([frameBytes]);
  return true;
}
