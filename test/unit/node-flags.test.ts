import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVER_NODE_FLAGS, missingNodeFlags } from '../../src/process/node-flags.ts';

test('a flag counts as given on the command line or in NODE_OPTIONS, in either spelling', () => {
  assert.deepEqual(missingNodeFlags([], undefined), [...SERVER_NODE_FLAGS]);
  assert.deepEqual(missingNodeFlags([], '--inspect'), [...SERVER_NODE_FLAGS]);
  // An operator's own value counts: only a flag left out is warned about.
  assert.deepEqual(missingNodeFlags(['--min-semi-space-size=32', '--max-semi-space-size=32'], undefined), []);
  assert.deepEqual(missingNodeFlags(['--min-semi-space-size=32'], '--trace-gc --max_semi_space_size=8'), []);
  assert.deepEqual(missingNodeFlags(['--min-semi-space-size=32'], undefined), ['--max-semi-space-size=64']);
});

// V8 reads these only at start, so every command that starts a server must carry them.
test('every documented way of starting a server passes the recommended node flags', () => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const shebang = readFileSync('src/main.ts', 'utf8').split('\n')[0]!;
  const serveCommands = ['README.md', 'docs/operations.md'].flatMap((file) =>
    readFileSync(file, 'utf8').split('\n').filter((line) => /node_modules\/\.bin\/node .*src\/main\.ts serve/.test(line)));
  assert.ok(serveCommands.length >= 3, 'the production commands are where this test looks for them');
  for (const command of [scripts.start!, shebang, ...serveCommands]) {
    for (const flag of SERVER_NODE_FLAGS) assert.ok(command.includes(flag), `${flag} missing from: ${command}`);
  }
});
