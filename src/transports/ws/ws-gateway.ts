import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { refuseUpgradeFor } from '../../net/refuse-socket.ts';
import type { SessionDeps } from '../../session/session.ts';
import { SessionSet } from '../../session/session-set.ts';
import { V1Codec, type V1CodecDeps } from './v1-codec.ts';
import { WsSocket } from './ws-socket.ts';

export interface WsGatewayOptions extends SessionDeps, V1CodecDeps {
  heartbeatMs: number;
  budget: ConnectionBudget;
}

/**
 * Accepts v1 WebSocket connections on GET /ws; each is a session (src/session/)
 * speaking v1 JSON over a WebSocket.
 */
export class WsGateway {
  readonly #wss: WebSocketServer;
  readonly #sessions: SessionSet;
  readonly #codec: V1Codec;

  constructor(options: WsGatewayOptions) {
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      // Compression would cost a zlib context per socket and defeat encode-once fan-out.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#sessions = new SessionSet({ deps: options, budget: options.budget, heartbeatMs: options.heartbeatMs });
    this.#codec = new V1Codec(options);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    // Refused before the upgrade, so a full gateway never runs out of file descriptors mid-handshake.
    const slot = this.#sessions.admit(address);
    if (typeof slot === 'string') return refuseUpgradeFor(socket, slot);
    // A handshake that fails (a bad key, a closed socket) never reaches the callback: its slot is freed with the socket.
    socket.once('close', () => slot.release());
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#sessions.open(new WsSocket(ws), this.#codec, slot);
    });
  }

  /**
   * Tells every client to reconnect after `afterMs`. Connections stay open so
   * acknowledgements of sends already accepted still arrive; new sends are
   * refused with `unavailable`.
   */
  drain(afterMs: number): void {
    this.#sessions.drain(afterMs);
  }

  /** Closes every connection with 1001. */
  async close(): Promise<void> {
    this.#sessions.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
