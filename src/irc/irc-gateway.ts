import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ConnectionBudget } from '../gateway/connection-budget.ts';
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

/**
 * Twitch-compatible IRC: WebSocket upgrades at `/` and, when configured, a
 * plain TCP listener. Pings every client, and on shutdown sends RECONNECT.
 */
export class IrcGateway {
  readonly #o: IrcGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<IrcSession>();
  readonly #heartbeat: NodeJS.Timeout;
  #tcp: Server | undefined;
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

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#draining || this.#o.budget.full) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const session = this.#open((onLine) => new WsTransport(ws, onLine), 'irc-ws');
      ws.on('close', () => this.#closed(session, 'irc-ws'));
      ws.on('error', () => undefined);
    });
  }

  /** Starts the plain IRC listener; resolves with the bound port. */
  listenTcp(port: number, host: string): Promise<number> {
    const server = createServer((socket: Socket) => {
      if (this.#draining || this.#o.budget.full) {
        socket.end('ERROR :Closing Link: server full\r\n');
        return;
      }
      const session = this.#open((onLine) => new TcpTransport(socket, this.#o.maxLineBytes, onLine), 'irc-tcp');
      socket.on('close', () => this.#closed(session, 'irc-tcp'));
      socket.on('error', () => undefined);
    });
    this.#tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  #open(makeTransport: (onLine: (line: string) => void) => IrcTransport, transport: string): IrcSession {
    const session: IrcSession = new IrcSession(makeTransport((line) => session.onLine(line)), this.#o);
    this.#sessions.add(session);
    this.#o.budget.open();
    this.#o.metrics.connections.inc({ transport });
    return session;
  }

  #closed(session: IrcSession, transport: string): void {
    if (!this.#sessions.delete(session)) return;
    session.closed();
    this.#o.budget.release();
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
    const tcp = this.#tcp;
    if (tcp !== undefined) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}
