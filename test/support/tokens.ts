import { SignJWT } from 'jose';
import { userIdForName } from '../../src/auth/identity.ts';
import { TEST_SECRET } from './servers.ts';

export interface TokenClaims {
  roles?: Record<string, string[]>;
  iss?: string;
  aud?: string;
  /** Lifetime as jose reads it ('1h'); null: a token without `exp`. */
  expiresIn?: string | null;
  secret?: string;
}

/** A token as an identity provider signs it (HS256 with the test servers' secret, one hour by default). */
export function signedToken(name: string, claims: TokenClaims = {}): Promise<string> {
  const { roles = {}, iss, aud, expiresIn = '1h', secret = TEST_SECRET } = claims;
  const jwt = new SignJWT({ name, roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(userIdForName(name)).setIssuedAt();
  if (iss !== undefined) jwt.setIssuer(iss);
  if (aud !== undefined) jwt.setAudience(aud);
  if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}
