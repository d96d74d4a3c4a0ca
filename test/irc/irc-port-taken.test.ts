import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { startTestServer } from '../support/servers.ts';

async function listenAnywhere(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

test('a taken IRC port fails the start and frees the HTTP port it had bound', { timeout: 20_000 }, async () => {
  const blocker = await listenAnywhere();
  const ircPort = (blocker.address() as AddressInfo).port;
  const probe = await listenAnywhere();
  const httpPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  try {
    await assert.rejects(startTestServer(['--port', String(httpPort), '--irc-port', String(ircPort)]), (err: Error) => {
      // The operator learns which port and which setting, not just EADDRINUSE.
      assert.match(err.message, new RegExp(`IRC port ${ircPort} on 127\\.0\\.0\\.1 is in use`));
      assert.match(err.message, /--irc-port or CHORUS_IRC_PORT/);
      assert.match(err.message, /-1 switches plain IRC off/);
      return true;
    });
    // Binding the HTTP port again proves the failed start closed its listener.
    const rebound = createServer();
    await new Promise<void>((resolve, reject) => {
      rebound.once('error', reject);
      rebound.listen(httpPort, '127.0.0.1', resolve);
    });
    rebound.close();
  } finally {
    blocker.close();
  }
});
