// The operator endpoints (/metrics, /ops, /api/ops/series, /docs, analytics):
// production serves them on the admin port or to the admin token's bearer,
// never to everyone; /healthz and /readyz stay public for load balancers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProductionServer, startTestServer, waitUntilReady, type TestServer } from '../support/servers.ts';
import { apiCall } from '../support/api.ts';
import type { RunningServer } from '../../src/server.ts';

const OPERATOR_PATHS = ['/metrics', '/ops', '/api/ops/series', '/docs/', '/docs/json', '/api/streams/s/analytics'];
const PUBLIC_PATHS = ['/healthz', '/readyz', '/openapi.json', '/api/streams', '/api/streams/s'];
const ADMIN_TOKEN = 'an-admin-token-of-at-least-32-bytes!';

type Started = TestServer & { server: RunningServer };
let closed: Started;
let withToken: Started;
let withPort: Started;
let dev: Started;

before(async () => {
  [closed, withToken, withPort, dev] = await Promise.all([
    startProductionServer(),
    startProductionServer(['--admin-token', ADMIN_TOKEN]),
    startProductionServer(['--admin-port', '0']),
    startTestServer(),
  ]);
  await Promise.all([closed, withToken, withPort, dev].map((s) => waitUntilReady(s)));
});
after(async () => {
  await Promise.all([closed, withToken, withPort, dev].map((s) => s?.stop()));
});

async function statuses(baseUrl: string, paths: string[], token?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const path of paths) {
    const res = await apiCall(baseUrl, 'GET', path, token);
    await res.body?.cancel();
    out[path] = res.status;
  }
  return out;
}
const all = (paths: string[], status: number): Record<string, number> => Object.fromEntries(paths.map((p) => [p, status]));

test('production without adminPort or adminToken serves the operator endpoints to nobody; health stays public', async () => {
  assert.deepEqual(await statuses(closed.url, OPERATOR_PATHS), all(OPERATOR_PATHS, 404));
  assert.deepEqual(await statuses(closed.url, OPERATOR_PATHS, ADMIN_TOKEN), all(OPERATOR_PATHS, 404));
  assert.deepEqual(await statuses(closed.url, PUBLIC_PATHS), all(PUBLIC_PATHS, 200));
  const body = await (await fetch(`${closed.url}/metrics`)).json();
  assert.deepEqual(body, { code: 'invalid', message: 'operator endpoints are not served here (adminPort, adminToken: docs/operations.md)' });
});

test('adminToken opens them to its bearer only', async () => {
  assert.deepEqual(await statuses(withToken.url, OPERATOR_PATHS), all(OPERATOR_PATHS, 401));
  assert.deepEqual(await statuses(withToken.url, OPERATOR_PATHS, 'not-the-admin-token'), all(OPERATOR_PATHS, 401));
  assert.deepEqual(await statuses(withToken.url, OPERATOR_PATHS, ADMIN_TOKEN), all(OPERATOR_PATHS, 200));
  assert.deepEqual(await statuses(withToken.url, PUBLIC_PATHS), all(PUBLIC_PATHS, 200));
  const refused = await fetch(`${withToken.url}/metrics`);
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="chorus operator"');
  assert.equal(((await refused.json()) as { code: string }).code, 'unauthorized');
  assert.match(await (await apiCall(withToken.url, 'GET', '/metrics', ADMIN_TOKEN)).text(), /chorus_/);
});

test('adminPort serves them without a token on its own listener only', async () => {
  const adminPort = withPort.server.adminPort;
  assert.ok(adminPort !== undefined && adminPort !== withPort.port);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  assert.deepEqual(await statuses(withPort.url, OPERATOR_PATHS), all(OPERATOR_PATHS, 404));
  assert.deepEqual(await statuses(adminUrl, OPERATOR_PATHS), all(OPERATOR_PATHS, 200));
  assert.deepEqual(await statuses(adminUrl, PUBLIC_PATHS), all(PUBLIC_PATHS, 200));
  assert.deepEqual(await statuses(withPort.url, PUBLIC_PATHS), all(PUBLIC_PATHS, 200));
  assert.equal(closed.server.adminPort, undefined);
});

test('development mode without either serves them to everyone (the demo, the benchmark, the /ops page)', async () => {
  assert.deepEqual(await statuses(dev.url, OPERATOR_PATHS), all(OPERATOR_PATHS, 200));
});
