// The regions' services listen on ports chosen seconds before they bind: a
// port from the kernel's ephemeral range can meanwhile become the local end
// of an outgoing connection (a broker then exits at start; it did in CI).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
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
