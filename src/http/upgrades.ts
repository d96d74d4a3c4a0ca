import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { refuseUpgrade } from '../net/refuse-socket.ts';
import { clientKey, type ClientAddresses } from './client-address.ts';

/** A gateway's handshake; `address` is the client's key (X-Forwarded-For from a trusted proxy; an IPv6 client is its /64). */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, address: string) => void;

export interface UpgradeRouting {
  routes: ReadonlyMap<string, UpgradeHandler>;
  allowedOrigins: readonly string[];
  addresses: ClientAddresses;
  onForbiddenOrigin: () => void;
}

/**
 * Node's server treats any `Upgrade` header as an upgrade, but only a
 * WebSocket one is switched here: the JDK's HttpClient and `curl --http2`
 * send `Upgrade: h2c` on ordinary requests, and a server that does not
 * switch protocols answers those as if the header were absent (RFC 9110 §7.8).
 * Given to the server as its `shouldUpgradeCallback`.
 */
export function isWebSocketUpgrade(request: IncomingMessage): boolean {
  const upgrade = request.headers.upgrade;
  return upgrade !== undefined && upgrade.split(',').some((protocol) => protocol.trim().toLowerCase() === 'websocket');
}

/**
 * Routes WebSocket upgrades by path; any other path gets 404. With a
 * non-empty allowlist, an upgrade whose `Origin` header is not in it gets 403:
 * browsers always send Origin, so pages on other sites cannot open sockets
 * with a viewer's cookies or from a viewer's address. Clients that are not
 * browsers send none and are let through (they could send any Origin anyway).
 */
export function routeUpgrades(server: Server, o: UpgradeRouting): void {
  const allowed = new Set(o.allowedOrigins.map(normalOrigin));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The path as sent, up to the query: `new URL()` would throw on targets such as `//[` and take the process down.
    const handler = o.routes.get((request.url ?? '/').split('?', 1)[0]!);
    if (handler === undefined) return refuseUpgrade(socket, 404);
    const origin = request.headers.origin;
    if (allowed.size > 0 && origin !== undefined && !allowed.has(normalOrigin(origin))) {
      o.onForbiddenOrigin();
      return refuseUpgrade(socket, 403);
    }
    handler(request, socket, head, clientKey(o.addresses.of(request)));
  });
}

/** Origins compare case-insensitively and without a trailing slash: `https://Chat.Example/` is `https://chat.example`. */
function normalOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}
