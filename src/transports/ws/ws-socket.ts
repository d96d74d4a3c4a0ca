import type { CloseReason, TransportEvents } from '../../session/transport.ts';
import { WebSocketTransport } from '../websocket-transport.ts';

/** Close codes and reasons of docs/protocol.md. */
const CLOSES: Record<Exclude<CloseReason, 'unresponsive'>, [code: number, reason: string]> = {
  goingAway: [1001, 'server going away'],
  idle: [4002, 'idle: not signed in and watching no stream'],
  tokenExpired: [4001, 'token expired'],
  abuse: [1008, 'repeated abuse'],
  slow: [4008, 'slow consumer: not reading fast enough'],
  done: [1000, ''],
};

/** A v1 client's WebSocket: JSON text frames in and out, pings answered by pongs. */
export class WsSocket extends WebSocketTransport {
  readonly name = 'ws';

  listen(events: TransportEvents): void {
    this.ws.on('message', (data, isBinary) => events.received(data.toString(), isBinary));
    this.ws.on('pong', () => events.alive());
    this.listenForClose(events);
  }

  ping(): void {
    this.ws.ping();
  }

  /** A silent peer is cut at once; anyone else gets the close code of its reason. */
  close(reason: CloseReason): void {
    if (reason === 'unresponsive') {
      this.ws.terminate();
      return;
    }
    this.closeWith(...CLOSES[reason]);
  }
}
