import type { CloseReason, TransportEvents } from '../../session/transport.ts';
import { WebSocketTransport } from '../websocket-transport.ts';
import { PING_LINE } from './twitch-lines.ts';

/**
 * IRC over WebSocket as tmi.js and irc-framework speak it: text frames, one
 * or more lines each (with or without CR LF) from the client, CRLF-separated
 * lines to it.
 */
export class WsTransport extends WebSocketTransport {
  readonly name = 'irc-ws';

  listen(events: TransportEvents): void {
    this.listenForClose(events);
    this.ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed === '') continue;
        events.alive();
        events.received(trimmed, false);
      }
    });
  }

  /** IRC pings in-band: any line back counts as alive. */
  ping(): void {
    this.write(PING_LINE);
  }

  /** IRC has no close codes of its own; a reader too far behind gets the v1 one (4008). */
  close(reason: CloseReason): void {
    if (reason === 'slow') this.closeWith(4008, 'slow consumer: not reading fast enough');
    else this.closeWith(1000, '');
  }
}
