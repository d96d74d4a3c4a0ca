import { randomBytes } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ChatError } from '../protocol/errors.ts';
import type { Role } from '../protocol/types.ts';
import { USER_NAME, parseColor, parseRoles, userIdForName, type Identity } from './identity.ts';

export interface TokenOptions {
  jwtSecret: string;
  jwksUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
}

const MAX_TOKEN_LENGTH = 8_192;
const DEV_TOKEN_TTL = '24h';

/**
 * Verifies bearer tokens (HS256 with the shared secret, or RS256/ES256 from a
 * JWKS URL) and, in development mode, signs tokens for the demo.
 */
export class Authenticator {
  readonly #secret: Uint8Array;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #verifyOptions: JWTVerifyOptions;

  constructor(options: TokenOptions) {
    // Without a configured secret, development tokens are signed with one made
    // now: they stop working at restart, which is what a demo wants.
    this.#secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : randomBytes(32);
    this.#jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
    this.#verifyOptions = {
      issuer: options.jwtIssuer || undefined,
      audience: options.jwtAudience || undefined,
    };
  }

  async verify(token: unknown): Promise<Identity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new ChatError('unauthorized', 'token must be a non-empty string');
    }
    const payload = await this.#verifyPayload(token);
    const sub = payload.sub;
    const name = payload.name;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw new ChatError('unauthorized', 'token has no valid sub');
    if (typeof name !== 'string' || !USER_NAME.test(name)) throw new ChatError('unauthorized', 'token has no valid name (1-25 of A-Z a-z 0-9 _)');
    const roles = parseRoles(payload.roles);
    if (typeof roles === 'string') throw new ChatError('unauthorized', `token ${roles}`);
    return { id: sub, name, color: parseColor(payload.color), roles };
  }

  async #verifyPayload(token: string): Promise<JWTPayload> {
    try {
      const alg = decodeAlg(token);
      if (alg === 'HS256') {
        return (await jwtVerify(token, this.#secret, { ...this.#verifyOptions, algorithms: ['HS256'] })).payload;
      }
      if (this.#jwks && (alg === 'RS256' || alg === 'ES256')) {
        return (await jwtVerify(token, this.#jwks, { ...this.#verifyOptions, algorithms: ['RS256', 'ES256'] })).payload;
      }
      throw new Error(`algorithm ${alg} is not accepted`);
    } catch (err) {
      throw new ChatError('unauthorized', `invalid token: ${(err as Error).message}`);
    }
  }

  /** Development mode only: a token for anyone who asks. */
  async issueDevToken(name: string, roles: Record<string, Role[]>, color?: string): Promise<{ token: string; identity: Identity }> {
    const identity: Identity = { id: userIdForName(name), name, color, roles };
    const jwt = new SignJWT({ name, roles, ...(color ? { color } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(identity.id)
      .setIssuedAt()
      .setExpirationTime(DEV_TOKEN_TTL);
    const { issuer, audience } = this.#verifyOptions;
    if (typeof issuer === 'string') jwt.setIssuer(issuer);
    if (typeof audience === 'string') jwt.setAudience(audience);
    const token = await jwt.sign(this.#secret);
    return { token, identity };
  }
}

function decodeAlg(token: string): string {
  const dot = token.indexOf('.');
  const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown };
  return String(header.alg);
}
