import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { ConnectionBudget, ConnectionSlot } from '../../limits/connection-budget.ts';
import { refuseSocket, refuseUpgradeFor } from '../../net/refuse-socket.ts';
import { clientKey } from '../../http/client-address.ts';
import { IrcSession, type IrcSessionDeps } from './irc-session.ts';
import type { IrcTransport } from './irc-transport.ts';
import { TcpTransport } from './tcp-transport.ts';
import { WsTransport } from './ws-transport.ts';

export interface IrcGatewayOptions extends IrcSessionDeps {
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
 * plain TCP listener. Pings every client, and on shutdown sends RECONNECT.
 */
export class IrcGateway {
  readonly #o: IrcGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<IrcSession>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #listeners: Server[] = [];
  #draining = false;

  constructor(options: IrcGatewayOptions) {
    this.#o = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxLineBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
    this.#heartbeat = setInterval(() => {
      for (const session of this.#sessions) session.ping();
    }, options.heartbeatMs);
    this.#heartbeat.unref();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    const slot = this.#draining ? 'full' : this.#o.budget.admit(address);
    if (typeof slot === 'string') return refuseUpgradeFor(socket, slot);
    socket.once('close', () => slot.release());
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const session = this.#open((onLine) => new WsTransport(ws, onLine), 'irc-ws', slot);
      ws.on('close', () => this.#closed(session, 'irc-ws'));
      ws.on('error', () => undefined);
    });
  }

  /**
   * Starts a plain IRC listener, or IRC over TLS with `tls` (certificate and
   * key); resolves with the bound port. The client address is the peer's:
   * a TCP balancer in front hides it (docs/operations.md).
   */
  listenTcp(port: number, host: string, tls?: TlsOptions): Promise<number> {
    const transport = tls === undefined ? 'irc-tcp' : 'irc-tls';
    const accept = (socket: Socket): void => {
      socket.on('error', () => undefined);
      const slot = this.#draining ? 'full' : this.#o.budget.admit(clientKey(socket.remoteAddress ?? ''));
      if (typeof slot === 'string') {
        refuseSocket(socket, `ERROR :Closing Link: ${slot === 'full' ? 'server full' : 'too many connections from your address'}\r\n`);
        return;
      }
      socket.once('close', () => slot.release());
      const session = this.#open((onLine) => new TcpTransport(socket, this.#o.maxLineBytes, onLine), transport, slot);
      socket.on('close', () => this.#closed(session, transport));
    };
    const server = tls === undefined ? createServer(accept) : createTlsServer({ ...tls, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, accept);
    this.#listeners.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  #open(makeTransport: (onLine: (line: string) => void) => IrcTransport, transport: string, slot: ConnectionSlot): IrcSession {
    const session: IrcSession = new IrcSession(makeTransport((line) => session.onLine(line)), this.#o, slot);
    this.#sessions.add(session);
    this.#o.metrics.connections.inc({ transport });
    return session;
  }

  #closed(session: IrcSession, transport: string): void {
    if (!this.#sessions.delete(session)) return;
    session.closed();
    this.#o.metrics.connections.dec({ transport });
  }

  drain(): void {
    this.#draining = true;
    for (const session of this.#sessions) session.drain();
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#draining = true;
    for (const session of this.#sessions) session.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await Promise.all(this.#listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
