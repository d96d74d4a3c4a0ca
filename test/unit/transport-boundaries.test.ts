// The layout's promise (issue 17): the transports are peers. Only the
// composition root builds them, no folder reaches into a transport's files,
// and the fan-out core knows no transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../src/', import.meta.url));
const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every relative import in src/, as paths below src/: [importer, imported]. */
function imports(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of readdirSync(ROOT, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      found.push([relative(ROOT, file), relative(ROOT, resolve(dirname(file), spec!))]);
    }
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
