import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { configReference } from '../../src/config/reference.ts';
import { tempDir, removeDir } from '../support/temp-dir.ts';

const SECRET = 'x'.repeat(32);

test('defaults, then file, then environment, then flags', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'chorus.json');
    writeFileSync(file, JSON.stringify({ port: 1000, maxFlushMs: 7, blockedTerms: ['a', 'b'], heartbeatMs: 5000 }));
    const config = loadConfig(['--config', file, '--max-flush-ms', '9', '--dev'], { CHORUS_MAX_FLUSH_MS: '8', PORT: '2000', CHORUS_BLOCK_LINKS: 'true' });
    assert.equal(config.port, 2000);
    assert.equal(config.maxFlushMs, 9);
    assert.deepEqual(config.blockedTerms, ['a', 'b']);
    assert.equal(config.heartbeatMs, 5000);
    assert.equal(config.blockLinks, true);
    assert.equal(config.dev, true);
    assert.equal(config.historyDefault, 100);
  } finally {
    removeDir(dir);
  }
});

test('every problem is reported at once, naming the flag and the variable', () => {
  try {
    loadConfig(['--port', 'abc', '--history-default', '9999', '--nope', 'x'], { CHORUS_JWT_SECRET: 'short' });
    assert.fail('should have thrown');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    assert.match(text, /port \(--port, CHORUS_PORT\) from flags: must be an integer, got "abc"/);
    assert.match(text, /historyDefault .* must be between 0 and 500, got 9999/);
    assert.match(text, /unknown flag --nope/);
    assert.match(text, /jwtSecret .* at least 32 bytes/);
  }
});

test('flags: booleans bare, negated or with a value; lists comma-separated; a flag missing its value does not hide the next one', () => {
  assert.equal(loadConfig(['--dev', '--block-links'], {}).blockLinks, true);
  assert.equal(loadConfig(['--dev', '--block-links', '--no-block-links'], {}).blockLinks, false);
  assert.equal(loadConfig(['--dev', '--block-links=off'], {}).blockLinks, false);
  assert.deepEqual(loadConfig(['--dev', '--allowed-origins', 'a, b,,c'], {}).allowedOrigins, ['a', 'b', 'c']);
  assert.equal(loadConfig(['--dev', '--port=12'], {}).port, 12);
  try {
    loadConfig(['--dev', '--port', '--nope', 'x', '-p', '--no-port', '--history-max'], {});
    assert.fail('should have thrown');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, ['flag --port needs a value', 'unknown flag --nope', 'unexpected argument "x"', 'unexpected argument "-p"', 'unknown flag --no-port', 'flag --history-max needs a value']);
  }
});

test('production without a way to verify tokens is refused; cluster needs both services', () => {
  assert.throws(() => loadConfig([], {}), /no way to verify tokens/);
  assert.doesNotThrow(() => loadConfig([], { CHORUS_JWT_SECRET: SECRET }));
  assert.throws(() => loadConfig(['--dev'], { CHORUS_REDIS_URL: 'redis://127.0.0.1:6379' }), /needs both/);
  const cluster = { CHORUS_REDIS_URL: 'redis://127.0.0.1:6379', CHORUS_KAFKA_BROKERS: '127.0.0.1:9092' };
  assert.throws(() => loadConfig(['--dev', '--workers', '2'], {}), /more than one worker needs cluster mode/);
  assert.doesNotThrow(() => loadConfig(['--dev', '--workers', '2'], cluster));
  assert.throws(() => loadConfig(['--dev', '--redis-cluster'], cluster), /CHORUS_REDIS_SHARDED_PUBSUB=true/);
  assert.doesNotThrow(() => loadConfig(['--dev', '--redis-cluster', '--redis-sharded-pubsub'], cluster));
});

test('a JWKS URL must be https unless jwksAllowHttp', () => {
  assert.throws(() => loadConfig(['--jwks-url', 'http://keys.example/jwks.json'], {}), /jwksUrl \(--jwks-url, CHORUS_JWKS_URL\): must be an https URL \(CHORUS_JWKS_ALLOW_HTTP=true accepts http\)/);
  assert.throws(() => loadConfig(['--jwks-url', 'ftp://keys.example/jwks.json', '--jwks-allow-http'], {}), /must be an https URL/);
  assert.equal(loadConfig(['--jwks-url', 'https://keys.example/jwks.json'], {}).jwksUrl, 'https://keys.example/jwks.json');
  assert.equal(loadConfig(['--jwks-url', 'http://127.0.0.1:9/jwks.json', '--jwks-allow-http'], {}).jwksUrl, 'http://127.0.0.1:9/jwks.json');
});

test('development mode listens on 127.0.0.1 by default, production on every interface; an explicit host wins', () => {
  assert.equal(loadConfig(['--dev'], {}).host, '127.0.0.1');
  assert.equal(loadConfig([], { CHORUS_JWT_SECRET: SECRET }).host, '0.0.0.0');
  assert.equal(loadConfig(['--dev', '--host', '0.0.0.0'], {}).host, '0.0.0.0');
  assert.equal(loadConfig(['--dev'], { CHORUS_HOST: '::1' }).host, '::1');
  assert.equal(loadConfig(['--host', '10.0.0.5'], { CHORUS_JWT_SECRET: SECRET }).host, '10.0.0.5');
});

test('an admin token shorter than 32 bytes is refused', () => {
  assert.throws(() => loadConfig(['--dev', '--admin-token', 'short'], {}), /adminToken \(--admin-token, CHORUS_ADMIN_TOKEN\): must be at least 32 bytes/);
  assert.equal(loadConfig(['--dev'], { CHORUS_ADMIN_TOKEN: 'y'.repeat(32) }).adminToken, 'y'.repeat(32));
});

test('a bad config file is a clear error', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"port": 1, "colour": "red"}');
    assert.throws(() => loadConfig(['--dev', '--config', file], {}), /unknown setting "colour"/);
    writeFileSync(file, '{nope');
    assert.throws(() => loadConfig(['--dev', '--config', file], {}), /config file .*bad.json/);
  } finally {
    removeDir(dir);
  }
});

test('the README configuration table is the generated one', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.ok(readme.includes(configReference()), 'README is stale: run node scripts/update-readme-config.ts');
});

test('imageOrigins must each be an https origin (http only on loopback), with no path', () => {
  assert.deepEqual(loadConfig(['--dev', '--image-origins', 'https://cdn.7tv.app,http://127.0.0.1:9000'], {}).imageOrigins, ['https://cdn.7tv.app', 'http://127.0.0.1:9000']);
  assert.throws(() => loadConfig(['--dev', '--image-origins', 'http://cdn.example'], {}), /imageOrigins .*http:\/\/cdn\.example must be https/);
  assert.throws(() => loadConfig(['--dev', '--image-origins', 'https://cdn.example/emotes'], {}), /origin only/);
  assert.throws(() => loadConfig(['--dev'], { CHORUS_IMAGE_ORIGINS: 'https://cdn.example/' }), /origin only/);
});
