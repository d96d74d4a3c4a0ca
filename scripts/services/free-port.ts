import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port free right now (another process may still take it before the caller binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** True when 127.0.0.1:port can be bound right now. */
export async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  // Not `once(server, 'listening')`: it rejects on the 'error' event, so a busy port would throw, not answer false.
  const listening = await new Promise<boolean>((resolve) => {
    server.once('listening', () => resolve(true));
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1');
  });
  if (listening) server.close();
  return listening;
}

// Ports a service listens on later (seconds after they are chosen) come from
// below the kernel's ephemeral range (32768-60999 by default): a port from
// that range can meanwhile become the local end of any outgoing connection
// (a busy test run opens thousands), and the service then fails to bind.
const LISTEN_RANGE = { from: 20_000, to: 32_000 };

/** A loopback port below the ephemeral range, free right now and not in `taken`. */
export async function listenPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = LISTEN_RANGE.from + Math.floor(Math.random() * (LISTEN_RANGE.to - LISTEN_RANGE.from));
    if (!taken.has(candidate) && (await portFree(candidate))) return candidate;
  }
  throw new Error('services: no free port to listen on');
}
