// Java services (the Kafka broker, MirrorMaker 2) run from jars that Maven
// resolves from Maven Central once and caches. No Docker, no tarball.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The runtime classpath `pom` lists, copied once into
 * ~/.cache/chorus/<name>/<version>/lib (Maven keeps its own cache in ~/.m2).
 * Safe when several processes resolve the same jars at once.
 */
export function resolveJars(name: string, version: string, pom: string): string {
  const cache = join(process.env.CHORUS_CACHE_DIR ?? join(homedir(), '.cache', 'chorus'), name, version);
  const lib = join(cache, 'lib');
  const complete = join(cache, 'complete');
  if (existsSync(complete)) return lib;
  requireTool('mvn', ['-v'], `Maven fetches the ${name} jars from Maven Central: apt-get install -y maven`);
  const partial = `${lib}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  // Maven creates the directory only when it copies something.
  mkdirSync(partial, { recursive: true });
  console.error(`services: resolving ${name} ${version} jars from Maven Central (first start only)`);
  // Maven's output goes to stderr: stdout is the services command's own (its --json answer), and even
  // `mvn -q` writes colour resets there.
  execFileSync('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`], { stdio: ['ignore', process.stderr, 'inherit'] });
  if (existsSync(complete)) {
    // Another process resolved them meanwhile; keep its copy.
    rmSync(partial, { recursive: true, force: true });
    return lib;
  }
  rmSync(lib, { recursive: true, force: true });
  renameSync(partial, lib);
  writeFileSync(complete, `${new Date().toISOString()}\n`);
  return lib;
}

export function requireTool(command: string, args: string[], hint: string): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    throw new Error(`services: \`${command}\` is not available. ${hint}`);
  }
}

export function requireJava(what: string): void {
  requireTool('java', ['-version'], `Java 17+ runs ${what}: apt-get install -y openjdk-17-jre-headless`);
}

/** A log4j2 configuration that writes everything at `level` and above to one file. */
export function log4jProperties(file: string, level = 'INFO'): string {
  return `rootLogger.level = ${level}
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
`;
}
