// Who may sign in: production refuses development tokens and tokens without
// `exp`, and checks `iss` and `aud`, at every door (v1 auth, HTTP bearer, IRC PASS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, spawnServer, startProductionServer, startTestServer, type TestServer } from '../support/servers.ts';
import { signedToken } from '../support/tokens.ts';
import { ACCEPTED_EVERYWHERE, REFUSED_EVERYWHERE, signInEverywhere } from '../support/sign-in.ts';
import type { RunningServer } from '../../src/server.ts';

let dev: TestServer & { server: RunningServer };
let production: TestServer & { server: RunningServer };
let strict: TestServer & { server: RunningServer };
let lenient: TestServer & { server: RunningServer };

before(async () => {
  // All four share the test secret, as a demo gateway started with the production secret would.
  dev = await startTestServer();
  production = await startProductionServer();
  strict = await startProductionServer(['--jwt-issuer', 'https://id.example', '--jwt-audience', 'chorus']);
  lenient = await startProductionServer(['--jwt-allow-no-exp']);
});
after(async () => {
  await Promise.all([dev, production, strict, lenient].map((s) => s?.stop()));
});

test('a production server refuses development tokens even when it shares the secret', async () => {
  const { token } = await devToken(dev.url, 'mallory', { s: ['broadcaster'] });
  assert.deepEqual(await signInEverywhere(dev, 'mallory', token), ACCEPTED_EVERYWHERE);
  assert.deepEqual(await signInEverywhere(production, 'mallory', token), REFUSED_EVERYWHERE);
  assert.deepEqual(await signInEverywhere(lenient, 'mallory', token), REFUSED_EVERYWHERE);
  assert.equal((await fetch(`${production.url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' })).status, 404);
  // The identity provider's own tokens are accepted by both.
  const provider = await signedToken('alice');
  assert.deepEqual(await signInEverywhere(production, 'alice', provider), ACCEPTED_EVERYWHERE);
  assert.deepEqual(await signInEverywhere(dev, 'alice', provider), ACCEPTED_EVERYWHERE);
});

test('production refuses tokens without exp unless jwtAllowNoExp', async () => {
  const forever = await signedToken('alice', { expiresIn: null });
  assert.deepEqual(await signInEverywhere(production, 'alice', forever), REFUSED_EVERYWHERE);
  assert.deepEqual(await signInEverywhere(lenient, 'alice', forever), ACCEPTED_EVERYWHERE);
  assert.deepEqual(await signInEverywhere(dev, 'alice', forever), ACCEPTED_EVERYWHERE);
  const expired = await signedToken('alice', { expiresIn: '-1m' });
  assert.deepEqual(await signInEverywhere(lenient, 'alice', expired), REFUSED_EVERYWHERE);
});

test('jwtIssuer and jwtAudience are enforced on v1 auth, HTTP bearer and IRC PASS', async () => {
  const good = await signedToken('alice', { iss: 'https://id.example', aud: 'chorus' });
  assert.deepEqual(await signInEverywhere(strict, 'alice', good), ACCEPTED_EVERYWHERE);
  for (const claims of [{ iss: 'https://evil.example', aud: 'chorus' }, { iss: 'https://id.example', aud: 'other' }, { aud: 'chorus' }, { iss: 'https://id.example' }]) {
    assert.deepEqual(await signInEverywhere(strict, 'alice', await signedToken('alice', claims)), REFUSED_EVERYWHERE, JSON.stringify(claims));
  }
});

test('a plain http JWKS URL stops start-up with exit 2 unless jwksAllowHttp', async () => {
  const started = spawnServer(['--port', '0', '--host', '127.0.0.1', '--jwks-url', 'http://127.0.0.1:9/jwks.json']);
  // A server that starts anyway must not outlive the test.
  void started.then((server) => server.stop(), () => undefined);
  await assert.rejects(started, (err: Error) => {
    assert.match(err.message, /exited with 2/);
    assert.match(err.message, /jwksUrl \(--jwks-url, CHORUS_JWKS_URL\): must be an https URL \(CHORUS_JWKS_ALLOW_HTTP=true accepts http\)/);
    return true;
  });
});
