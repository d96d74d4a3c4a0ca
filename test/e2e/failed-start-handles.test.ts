import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { promisify } from 'node:util';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';
import { TEST_SECRET } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { selfSignedCert } from '../support/tls-cert.ts';

// A start that fails at any listener closes everything it opened before: the process can end by itself.

const run = promisify(execFile);

async function takenPort(): Promise<{ blocker: Server; port: number }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { blocker, port: (blocker.address() as AddressInfo).port };
}

const LISTENERS: Array<{ listener: string; flags: (port: number) => string[]; message: RegExp }> = [
  { listener: 'HTTP', flags: (port) => ['--port', String(port)], message: /HTTP port \d+ on 127\.0\.0\.1 is in use/ },
  { listener: 'IRC', flags: (port) => ['--irc-port', String(port)], message: /IRC port \d+ on 127\.0\.0\.1 is in use/ },
  { listener: 'IRC over TLS', flags: (port) => ['--irc-tls-port', String(port)], message: /IRC over TLS port \d+ on 127\.0\.0\.1 is in use|ircTlsPort|irc-tls-port/ },
  { listener: 'admin', flags: (port) => ['--admin-port', String(port)], message: /admin port \d+/ },
];

for (const { listener, flags, message } of LISTENERS) {
  test(`a start failing at the ${listener} listener leaves nothing open`, { timeout: 30_000 }, async () => {
    const { blocker, port } = await takenPort();
    const dataDir = tempDir();
    try {
      const { certPath, keyPath } = selfSignedCert(dataDir);
      const args = [
        '--dev', '--host', '127.0.0.1', '--data-dir', dataDir, '--jwt-secret', TEST_SECRET,
        '--port', '0', '--irc-port', '0', '--irc-tls-cert', certPath, '--irc-tls-key', keyPath, '--irc-tls-port', '0', '--admin-port', '0',
        ...flags(port),
      ];
      const { stdout } = await run(process.execPath, [...SERVER_NODE_FLAGS, 'test/support/start-and-give-up.ts', ...args], { timeout: 20_000 })
        .catch((err: { code: unknown; stdout: string }) => assert.fail(`exit ${err.code}:\n${err.stdout}`));
      assert.match(stdout, /^failed: /);
      assert.match(stdout, message);
    } finally {
      blocker.close();
      removeDir(dataDir);
    }
  });
}
