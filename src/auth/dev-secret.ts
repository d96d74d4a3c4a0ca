import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Development mode's signing secret, in the data directory. */
export const DEV_SECRET_FILE = 'dev-jwt-secret';
const MIN_SECRET_BYTES = 32;

/**
 * The HS256 secret that signs and verifies tokens: the configured one, or in
 * development mode without one the secret kept in the data directory, so a
 * restart leaves every open page signed in.
 */
export function signingSecret(config: { dev: boolean; jwtSecret: string; dataDir: string }): string {
  return config.jwtSecret !== '' || !config.dev ? config.jwtSecret : devSecret(config.dataDir);
}

/**
 * Made once (mode 0600), then read at every start. Processes starting together
 * on one directory agree: the secret is written aside and linked into place,
 * and only the first link succeeds, so nobody reads a half-written file.
 */
export function devSecret(dataDir: string): string {
  const path = join(dataDir, DEV_SECRET_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    const aside = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(aside, randomBytes(MIN_SECRET_BYTES).toString('base64url') + '\n', { mode: 0o600 });
      linkSync(aside, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(aside, { force: true });
    }
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new Error(`${path} holds no usable development secret (at least ${MIN_SECRET_BYTES} bytes): delete it and a new one is made`);
  }
  return secret;
}
