import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { refuseSocket, refuseUpgradeFor } from '../../net/refuse-socket.ts';
import { clientKey } from '../../http/client-address.ts';
import type { SessionDeps } from '../../session/session.ts';
import { SessionSet } from '../../session/session-set.ts';
import { IrcCodec, type IrcCodecDeps } from './irc-codec.ts';
import { TcpTransport } from './tcp-transport.ts';
import { WsTransport } from './ws-transport.ts';

export interface IrcGatewayOptions extends SessionDeps, IrcCodecDeps {
  heartbeatMs: number;
  /** Longest inbound line (TCP) or WebSocket frame. */
  maxLineBytes: number;
  budget: ConnectionBudget;
}

/** Subprotocols echoed back: tmi.js offers `irc`, irc-framework `text.ircv3.net`. */
const SUBPROTOCOLS = ['irc', 'text.ircv3.net'];
// A TLS client that has not finished its handshake by then is cut: it holds a socket before the budget sees it.
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Twitch-compatible IRC: WebSocket upgrades at `/` and, when configured, a
 * plain TCP listener. Each connection is a session (src/session/) speaking
 * IRC lines over a WebSocket or a TCP socket.
 */
export class IrcGateway {
  readonly #o: IrcGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions: SessionSet;
  readonly #listeners: Server[] = [];

  constructor(options: IrcGatewayOptions) {
    this.#o = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxLineBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
    this.#sessions = new SessionSet({ deps: options, budget: options.budget, heartbeatMs: options.heartbeatMs });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    const slot = this.#sessions.admit(address);
    if (typeof slot === 'string') return refuseUpgradeFor(socket, slot);
    socket.once('close', () => slot.release());
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#sessions.open(new WsTransport(ws), new IrcCodec(this.#o), slot);
    });
  }

  /**
   * Starts a plain IRC listener, or IRC over TLS with `tls` (certificate and
   * key); resolves with the bound port. The client address is the peer's:
   * a TCP balancer in front hides it (docs/operations.md).
   */
  listenTcp(port: number, host: string, tls?: TlsOptions): Promise<number> {
    const name = tls === undefined ? 'irc-tcp' : 'irc-tls';
    const accept = (socket: Socket): void => {
      socket.on('error', () => undefined);
      const slot = this.#sessions.admit(clientKey(socket.remoteAddress ?? ''));
      if (typeof slot === 'string') {
        refuseSocket(socket, `ERROR :Closing Link: ${slot === 'full' ? 'server full' : 'too many connections from your address'}\r\n`);
        return;
      }
      socket.once('close', () => slot.release());
      this.#sessions.open(new TcpTransport(socket, this.#o.maxLineBytes, name), new IrcCodec(this.#o), slot);
    };
    const server = tls === undefined ? createServer(accept) : createTlsServer({ ...tls, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, accept);
    this.#listeners.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Shutdown: Twitch's RECONNECT (tmi.js reconnects on it); later lines are refused. */
  drain(afterMs: number): void {
    this.#sessions.drain(afterMs);
  }

  async close(): Promise<void> {
    this.#sessions.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await Promise.all(this.#listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
