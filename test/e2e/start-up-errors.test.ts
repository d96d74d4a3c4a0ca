import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';
import { failedStart } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// What an operator reads when the server cannot start, and what `--help` prints.

const run = promisify(execFile);

test('a taken HTTP port stops start-up naming the port and its setting', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const dataDir = tempDir();
  try {
    const output = await failedStart(['--dev', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
    assert.match(output, /exited with 1/);
    assert.match(output, new RegExp(`HTTP port ${port} on 127\\.0\\.0\\.1 is in use`));
    assert.match(output, /--port or PORT or CHORUS_PORT/);
  } finally {
    blocker.close();
    removeDir(dataDir);
  }
});

for (const argv of [['serve', '--help'], ['serve', '--dev', '-h'], ['--help']]) {
  test(`chorus ${argv.join(' ')} prints the usage and every setting, exits 0 and starts nothing`, async () => {
    const { stdout } = await run(process.execPath, [...SERVER_NODE_FLAGS, 'src/main.ts', ...argv], { timeout: 20_000 });
    assert.match(stdout, /usage: chorus serve/);
    assert.match(stdout, /--irc-port <int>\s+CHORUS_IRC_PORT\s+default 6667/);
    assert.match(stdout, /--port <int>\s+PORT, CHORUS_PORT\s+default 8080/);
    assert.match(stdout, /--dev\s+CHORUS_DEV\s+default false/);
    assert.doesNotMatch(stdout, /listening/);
  });
}

test('npm start -- --help prints the usage and exits 0', async () => {
  const { stdout } = await run('npm', ['start', '--ignore-scripts', '--', '--help'], { timeout: 30_000 });
  assert.match(stdout, /usage: chorus serve/);
  assert.match(stdout, /--data-dir <string>/);
});
