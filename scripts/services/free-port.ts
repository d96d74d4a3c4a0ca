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
  server.listen(port, '127.0.0.1');
  const listening = await Promise.race([once(server, 'listening').then(() => true), once(server, 'error').then(() => false)]);
  if (listening) server.close();
  return listening;
}
