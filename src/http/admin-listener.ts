import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * The admin port (adminPort): a second HTTP listener in front of the same
 * routes, where the operator endpoints need no token. It takes no WebSocket
 * upgrades. Requests that came through it are remembered (weakly) so the
 * operator guard can tell them apart.
 */
export class AdminListener {
  readonly #requests = new WeakSet<IncomingMessage>();
  #server: Server | undefined;

  arrivedHere(raw: IncomingMessage): boolean {
    return this.#requests.has(raw);
  }

  async listen(app: FastifyInstance, port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      this.#requests.add(request);
      app.routing(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`cannot listen on the admin port ${port} (--admin-port, CHORUS_ADMIN_PORT): ${err.message}`)));
      server.listen(port, host, resolve);
    });
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
