// The regions' services listen on ports chosen seconds before they bind: a
// port from the kernel's ephemeral range can meanwhile become the local end
// of an outgoing connection (a broker then exits at start; it did in CI).
// A candidate port some other service holds is skipped, not an error (a
// regions start failed with EADDRINUSE in CI when the check threw).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { portFree } from '../../scripts/services/free-port.ts';
import { currentLayout } from '../../scripts/services/regions-layout.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

test('a fresh regions layout takes every port below the ephemeral range, each once', async (t) => {
  const dir = tempDir('chorus-layout-');
  t.after(() => removeDir(dir));
  const [ephemeralFrom] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const layout = await currentLayout({ stateDir: dir, regions: ['us', 'eu', 'ap'] }, () => false);
  const ports = [layout.controlPort, ...Object.values(layout.ports).flatMap((p) => [p.redis, p.kafka, p.controller, ...Object.values(p.mirrorListener), ...Object.values(p.link)])];
  assert.equal(ports.length, 1 + 3 * 7);
  assert.equal(new Set(ports).size, ports.length);
  for (const port of ports) assert.ok(port > 1024 && port < ephemeralFrom!, `port ${port} is outside the ephemeral range from ${ephemeralFrom}`);
});

test('a port already listened on is not free (answered false, not thrown), and is free again once closed', async () => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  assert.equal(await portFree(port), false);
  await new Promise((resolve) => server.close(resolve));
  assert.equal(await portFree(port), true);
});
