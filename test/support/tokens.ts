import { SignJWT, type JWTPayload } from 'jose';
import { userIdForName } from '../../src/auth/identity.ts';
import { encodeIrcToken } from '../../src/irc/irc-token.ts';
import { TEST_SECRET } from './servers.ts';

function sign(sub: string, claims: JWTPayload, expiration: number | string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiration)
    .sign(new TextEncoder().encode(TEST_SECRET));
}

/**
 * A token signed with the test servers' secret carrying exactly `claims`, as
 * an identity provider might issue it: no `roles` claim unless given, or one
 * whose keys a development token would never produce (`__proto__`).
 */
export async function signedToken(sub: string, claims: JWTPayload): Promise<{ token: string; ircToken: string }> {
  const token = await sign(sub, claims, '1h');
  return { token, ircToken: encodeIrcToken(token) };
}

/**
 * A token the test servers accept, for the user a development token of
 * `name` would be, expiring in `seconds` (rounded up to the next whole second
 * of the clock, as `exp` counts whole seconds).
 */
export function tokenExpiringIn(name: string, seconds: number, roles: Record<string, string[]> = {}): Promise<string> {
  return sign(userIdForName(name), { name, roles }, Math.ceil(Date.now() / 1000) + seconds);
}
