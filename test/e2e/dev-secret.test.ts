// Development mode without a configured secret: the secret is made once in the
// data directory, so a restart leaves every page signed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_SECRET_FILE } from '../../src/auth/dev-secret.ts';
import { devToken, spawnServer } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { TestClient } from '../support/ws-client.ts';

async function signIn(wsUrl: string, token: string): Promise<string> {
  const client = await TestClient.connect(wsUrl);
  client.send({ type: 'auth', token });
  const answer = await client.nextMatching((f) => f.type === 'welcome' || f.type === 'error', 5_000, 'welcome or error');
  client.close();
  return answer.type === 'welcome' ? 'welcome' : `${answer.code}: ${answer.message}`;
}

test('a development token outlives a restart on the same data directory, not a move to another', async () => {
  const dataDir = tempDir();
  const otherDir = tempDir();
  // No CHORUS_JWT_SECRET: the secret is development mode's own.
  const args = (dir: string) => ['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir];
  const noSecret = { CHORUS_JWT_SECRET: '' };
  try {
    const first = await spawnServer(args(dataDir), noSecret);
    const { token } = await devToken(first.url, 'alice', { s: ['broadcaster'] });
    assert.equal(await signIn(first.wsUrl, token), 'welcome');
    await first.stop();
    assert.equal(statSync(join(dataDir, DEV_SECRET_FILE)).mode & 0o777, 0o600);

    const second = await spawnServer(args(dataDir), noSecret);
    try {
      assert.equal(await signIn(second.wsUrl, token), 'welcome');
    } finally {
      await second.stop();
    }
    const elsewhere = await spawnServer(args(otherDir), noSecret);
    try {
      assert.match(await signIn(elsewhere.wsUrl, token), /^unauthorized: invalid token/);
    } finally {
      await elsewhere.stop();
    }
  } finally {
    removeDir(dataDir);
    removeDir(otherDir);
  }
});
