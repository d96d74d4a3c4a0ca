// The layout's promise (issue 17): the transports are peers. Only the
// composition root builds them, no folder reaches into a transport's files,
// the fan-out core knows no transport, and the session rules every protocol
// shares are written once, in src/session/, which knows no protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../src/', import.meta.url));
const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const PACKAGE_IMPORT = /(?:from|import)\s*\(?\s*['"]([^./'"][^'"]*)['"]/g;

/** Every file in src/, as [path below src/, text]. */
function sources(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of readdirSync(ROOT, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    found.push([relative(ROOT, file), readFileSync(file, 'utf8')]);
  }
  return found;
}

/** Every relative import in src/, as paths below src/: [importer, imported]. */
function imports(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const [path, text] of sources()) {
    for (const [, spec] of text.matchAll(IMPORT)) found.push([path, relative(ROOT, resolve(dirname(join(ROOT, path)), spec!))]);
  }
  return found;
}

/** `ws`, `irc` or `sse` for a file of a transport, else undefined. */
const transportOf = (path: string): string | undefined => /^transports\/([^/]+)\//.exec(path)?.[1];

test('no folder imports a transport\'s files but the transport itself and the composition root', () => {
  const all = imports();
  assert.ok(all.length > 100, 'the imports were found');
  const reaching = all.filter(([from, to]) => {
    const target = transportOf(to);
    return target !== undefined && from !== 'server.ts' && transportOf(from) !== target;
  });
  assert.deepEqual(reaching.map(([from, to]) => `${from} -> ${to}`), []);
});

test('the fan-out core imports no transport', () => {
  const reaching = imports().filter(([from, to]) => from.startsWith('fanout/') && to.startsWith('transports/'));
  assert.deepEqual(reaching.map(([from, to]) => `${from} -> ${to}`), []);
});

test('the session knows no transport and no wire: no transport file, no socket or HTTP module', () => {
  const reaching = imports().filter(([from, to]) => from.startsWith('session/') && (to.startsWith('transports/') || to.startsWith('http/') || to.startsWith('net/')));
  assert.deepEqual(reaching.map(([from, to]) => `${from} -> ${to}`), []);
  const wires = sources()
    .filter(([path]) => path.startsWith('session/'))
    .flatMap(([path, text]) => [...text.matchAll(PACKAGE_IMPORT)].map(([, spec]) => `${path} -> ${spec}`))
    .filter((edge) => /-> (ws|fastify|node:(net|tls|http|https))$/.test(edge));
  assert.deepEqual(wires, []);
});

// Each is a rule every protocol shares; a transport that uses one is writing session logic again.
const SESSION_ONLY: Array<[string, RegExp]> = [
  ['the frame rate and strike buckets', /limits\/token-bucket\.ts|new TokenBucket\(/],
  ['the slow-consumer rule', /session\/slow-consumer\.ts|SlowConsumerCheck|slowConsumerDrops/],
  ['token expiry', /session\/token-expiry\.ts|TokenExpiry|expiresAtOf/],
  ['the anonymous idle close', /session\/idle-deadline\.ts|IdleDeadline/],
  ['the abuse close', /abuseCloses|NOT_A_STRIKE/],
  ['joins and leaves on the fan-out core', /\bhub\.(join|leave)\(/],
  ['the per-user connection cap', /claimUser\(/],
  ['verifying a token', /auth\.verify\(/],
  ['turning a thrown error into a refusal', /asRefusal\(|backendError\(/],
];

test('no session logic is written twice: the shared rules live in src/session/ and no transport uses them itself', () => {
  const transportFiles = sources().filter(([path]) => path.startsWith('transports/'));
  assert.ok(transportFiles.length > 10, 'the transports were found');
  const repeated = transportFiles.flatMap(([path, text]) => SESSION_ONLY.filter(([, pattern]) => pattern.test(text)).map(([rule]) => `${path}: ${rule}`));
  assert.deepEqual(repeated, []);
});
