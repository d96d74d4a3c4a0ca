import { SignJWT, type JWTPayload } from 'jose';
import { encodeIrcToken } from '../../src/irc/irc-token.ts';
import { TEST_SECRET } from './servers.ts';

/**
 * A token signed with the test servers' secret carrying exactly `claims`, as
 * an identity provider might issue it: no `roles` claim unless given, or one
 * whose keys a development token would never produce (`__proto__`).
 */
export async function signedToken(sub: string, claims: JWTPayload): Promise<{ token: string; ircToken: string }> {
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRET));
  return { token, ircToken: encodeIrcToken(token) };
}
