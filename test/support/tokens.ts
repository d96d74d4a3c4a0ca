import { SignJWT } from 'jose';
import { userIdForName } from '../../src/auth/identity.ts';
import { TEST_SECRET } from './servers.ts';

export interface TokenClaims {
  /** Default: the id a development token of the same name would have. */
  sub?: string;
  /** Omitted unless given, as many identity providers issue them. */
  roles?: Record<string, string[]>;
  iss?: string;
  aud?: string;
  /** A lifetime as jose reads it ('1h'), or `exp` itself in seconds since the epoch; null: a token without `exp`. */
  expiresIn?: string | number | null;
  secret?: string;
  /** The `known_since` claim (seconds since the epoch): since when the issuer knows the user. */
  knownSince?: number;
}

/** A token as an identity provider signs it (HS256 with the test servers' secret, one hour by default). */
export function signedToken(name: string, claims: TokenClaims = {}): Promise<string> {
  const { sub = userIdForName(name), roles, iss, aud, expiresIn = '1h', secret = TEST_SECRET, knownSince } = claims;
  const jwt = new SignJWT({ name, ...(roles === undefined ? {} : { roles }), ...(knownSince === undefined ? {} : { known_since: knownSince }) }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt();
  if (iss !== undefined) jwt.setIssuer(iss);
  if (aud !== undefined) jwt.setAudience(aud);
  if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A token of `name` expiring in `seconds`, rounded up to the next whole second of the clock (`exp` counts whole seconds). */
export function tokenExpiringIn(name: string, seconds: number, roles: Record<string, string[]> = {}): Promise<string> {
  return signedToken(name, { roles, expiresIn: Math.ceil(Date.now() / 1000) + seconds });
}
