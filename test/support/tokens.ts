import { SignJWT } from 'jose';
import { userIdForName } from '../../src/auth/identity.ts';
import { TEST_SECRET } from './servers.ts';

/**
 * A token the test servers accept (HS256 with TEST_SECRET), for the user a
 * development token of `name` would be, expiring in `seconds` (rounded up to
 * the next whole second of the clock, as `exp` counts whole seconds).
 */
export function tokenExpiringIn(name: string, seconds: number, roles: Record<string, string[]> = {}): Promise<string> {
  return new SignJWT({ name, roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userIdForName(name))
    .setExpirationTime(Math.ceil(Date.now() / 1000) + seconds)
    .sign(new TextEncoder().encode(TEST_SECRET));
}
