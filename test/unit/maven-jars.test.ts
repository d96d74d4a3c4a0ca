// The services command's --json answer is its whole stdout, so resolving jars
// with Maven (first start on a machine) must write nothing there: `mvn -q`
// still prints colour resets, which broke the regions tests' JSON.parse in CI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { removeDir, tempDir } from '../support/temp-dir.ts';

const MAVEN_JARS = pathToFileURL(join(import.meta.dirname, '../../scripts/services/maven-jars.ts')).href;

test('resolving jars with the real Maven writes nothing to stdout, and marks the copy complete', (t) => {
  const dir = tempDir('chorus-maven-');
  t.after(() => removeDir(dir));
  const pom = join(dir, 'pom.xml');
  // No dependencies: Maven runs for real without fetching anything but its plugin (cached after the first run).
  writeFileSync(pom, '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>chorus.test</groupId><artifactId>empty</artifactId><version>1</version><packaging>pom</packaging></project>\n');
  const script = `const { resolveJars } = await import(${JSON.stringify(MAVEN_JARS)}); resolveJars('empty', '1', ${JSON.stringify(pom)});`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, CHORUS_CACHE_DIR: join(dir, 'cache') }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 300_000,
  });
  assert.equal(stdout, '');
  assert.equal(existsSync(join(dir, 'cache', 'empty', '1', 'complete')), true);
});
