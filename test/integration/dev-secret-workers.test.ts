// `--workers 2` in development mode without a secret: every worker verifies the
// tokens any of them signed, before and after a restart of the whole server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { devToken } from '../support/servers.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';
import { TestClient } from '../support/ws-client.ts';

const WORKERS = 2;

async function signInTimes(wsUrl: string, token: string, times: number): Promise<string[]> {
  return Promise.all(Array.from({ length: times }, async () => {
    const client = await TestClient.connect(wsUrl);
    client.send({ type: 'auth', token });
    const answer = await client.nextMatching((f) => f.type === 'welcome' || f.type === 'error', 5_000, 'welcome or error');
    client.close();
    return answer.type === 'welcome' ? 'welcome' : String(answer.code);
  }));
}

test('workers share the data directory\'s development secret, across a restart', async () => {
  const dataDir = tempDir();
  const env = { ...(await clusterEnv()), CHORUS_JWT_SECRET: '' };
  const start = async () => {
    const server = await spawnGateway(env, ['--workers', String(WORKERS), '--data-dir', dataDir]);
    await until(() => server.output.filter((line) => line.includes('"chorus is listening"')).length === WORKERS, 'every worker listening', 20_000, 25);
    return server;
  };
  try {
    const first = await start();
    let token: string;
    try {
      token = (await devToken(first.url, 'alice')).token;
      // Connections are handed to the workers in turn: these land on each of them.
      assert.deepEqual(await signInTimes(first.wsUrl, token, 2 * WORKERS), Array(2 * WORKERS).fill('welcome'));
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      assert.deepEqual(await signInTimes(second.wsUrl, token, 2 * WORKERS), Array(2 * WORKERS).fill('welcome'));
    } finally {
      await second.stop();
    }
  } finally {
    removeDir(dataDir);
  }
});
