import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { reconnectFrame } from '../../protocol/server-frames.ts';
import { CLOSE, Connection, type ConnectionDeps } from './connection.ts';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { refuseUpgradeFor } from '../../net/refuse-socket.ts';

export interface WsGatewayOptions extends ConnectionDeps {
  heartbeatMs: number;
  budget: ConnectionBudget;
}

/**
 * Accepts v1 WebSocket connections on GET /ws, pings them, and on shutdown
 * tells each to reconnect elsewhere.
 */
export class WsGateway {
  readonly #o: WsGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #heartbeat: NodeJS.Timeout;
  #draining = false;

  constructor(options: WsGatewayOptions) {
    this.#o = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      // Compression would cost a zlib context per socket and defeat encode-once fan-out.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections) {
        connection.ping();
        connection.sweep();
      }
    }, options.heartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#connections.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    // Refused before the upgrade, so a full gateway never runs out of file descriptors mid-handshake.
    const slot = this.#draining ? 'full' : this.#o.budget.admit(address);
    if (typeof slot === 'string') return refuseUpgradeFor(socket, slot);
    // A handshake that fails (a bad key, a closed socket) never reaches the callback: its slot is freed with the socket.
    socket.once('close', () => slot.release());
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new Connection(ws, this.#o, slot);
      this.#connections.add(connection);
      this.#o.metrics.connections.inc({ transport: 'ws' });
      ws.on('close', () => this.#connections.delete(connection));
    });
  }

  /**
   * Tells every client to reconnect after `afterMs` (clients add their own
   * jitter). Connections stay open so acknowledgements of sends already
   * accepted still arrive; new sends are refused with `unavailable`.
   */
  drain(afterMs: number): void {
    this.#draining = true;
    const frame = reconnectFrame(afterMs);
    for (const connection of this.#connections) connection.drain(frame, afterMs);
  }

  /** Closes every connection with 1001. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#draining = true;
    for (const connection of this.#connections) connection.close(CLOSE.goingAway, 'server going away');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
