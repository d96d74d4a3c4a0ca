import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { refuseUpgradeFor } from '../../net/refuse-socket.ts';
import { takesSharedDeflate } from '../../net/ws-deflate.ts';
import type { SessionDeps } from '../../session/session.ts';
import { SessionSet } from '../../session/session-set.ts';
import { V1Codec, type V1CodecDeps } from './v1-codec.ts';
import { WsSocket } from './ws-socket.ts';

export interface WsGatewayOptions extends SessionDeps, V1CodecDeps {
  heartbeatMs: number;
  budget: ConnectionBudget;
  /** Offer permessage-deflate (the wsDeflate setting). */
  deflate: boolean;
}

/**
 * Accepts v1 WebSocket connections on GET /ws; each is a session (src/session/)
 * speaking v1 JSON over a WebSocket.
 */
export class WsGateway {
  readonly #wss: WebSocketServer;
  readonly #sessions: SessionSet;
  readonly #codec: V1Codec;
  /** Upgrades whose answer accepted permessage-deflate as the shared compressed frames need it. */
  readonly #deflating = new WeakSet<IncomingMessage>();

  constructor(options: WsGatewayOptions) {
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      // Compression per socket would cost a zlib context each and defeat encode-once fan-out: the shared frames
      // are deflated once per flush (ws-encoding.ts), which needs every compressed message to stand alone.
      perMessageDeflate: options.deflate && {
        serverNoContextTakeover: true,
        // ws never compresses a per-socket send (ack, joined): its deflate is asynchronous, and pre-framed writes
        // would wait behind it (src/net/ws-write.ts). Inbound compressed frames are still inflated, up to maxPayload.
        threshold: Infinity,
      },
      clientTracking: false,
    });
    this.#wss.on('headers', (headers: string[], request: IncomingMessage) => {
      if (takesSharedDeflate(headers)) this.#deflating.add(request);
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
      this.#sessions.open(new WsSocket(ws, this.#deflating.has(request)), this.#codec, slot);
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
