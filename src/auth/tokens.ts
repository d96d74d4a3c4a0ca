import { randomBytes, webcrypto } from 'node:crypto';
import type { Logger } from 'pino';
import { SignJWT, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ChatError } from '../protocol/errors.ts';
import type { Role } from '../protocol/types.ts';
import { KNOWN_SINCE_CLAIM, USER_NAME, parseColor, parseKnownSince, parseRoles, userIdForName, type Identity } from './identity.ts';
import { verifierRefusal } from './verifier-refusal.ts';

export interface TokenOptions {
  /** Development mode: sign tokens for anyone, and accept them. */
  dev: boolean;
  jwtSecret: string;
  jwksUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
  /** Production mode: accept tokens without `exp` (in development mode they are always accepted). */
  jwtAllowNoExp: boolean;
  /** Where the verifier's own reason for a refusal goes (the client gets a fixed sentence: verifier-refusal.ts). */
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

const MAX_TOKEN_LENGTH = 8_192;
const DEV_TOKEN_TTL = '24h';
/**
 * The `iss` of every development token. A production server refuses it even
 * when it shares the secret with a development one, so a demo gateway cannot
 * mint tokens that production accepts.
 */
export const DEV_TOKEN_ISSUER = 'chorus-dev';

/**
 * Verifies bearer tokens (HS256 with the shared secret, or RS256/ES256 from a
 * JWKS URL) and, in development mode, signs tokens for the demo.
 */
export class Authenticator {
  // Imported once: given the raw bytes, jose imports them into a WebCrypto key on every call (a third of a
  // verification's CPU, measured), and a join storm verifies one token per viewer.
  readonly #secret: Promise<webcrypto.CryptoKey>;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #verifyOptions: JWTVerifyOptions;
  readonly #dev: boolean;
  readonly #audience: string | undefined;
  readonly #logger: TokenOptions['logger'];

  constructor(options: TokenOptions) {
    // Without a secret no HS256 token can verify (one made now and never told
    // anyone); development mode gets its secret from the data directory.
    const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : randomBytes(32);
    this.#secret = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    this.#jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
    this.#dev = options.dev;
    this.#audience = options.jwtAudience || undefined;
    this.#logger = options.logger;
    this.#verifyOptions = {
      // Development mode also accepts its own tokens beside the configured issuer's.
      issuer: options.jwtIssuer ? (options.dev ? [options.jwtIssuer, DEV_TOKEN_ISSUER] : options.jwtIssuer) : undefined,
      audience: this.#audience,
      // A token without `exp` is valid for ever: production refuses it unless told otherwise.
      requiredClaims: options.dev || options.jwtAllowNoExp ? [] : ['exp'],
    };
  }

  async verify(token: unknown): Promise<Identity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new ChatError('unauthorized', 'token must be a non-empty string');
    }
    const payload = await this.#verifyPayload(token);
    if (!this.#dev && payload.iss === DEV_TOKEN_ISSUER) {
      throw new ChatError('unauthorized', 'invalid token: development tokens are not accepted by a production server');
    }
    const sub = payload.sub;
    const name = payload.name;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw new ChatError('unauthorized', 'token has no valid sub');
    if (typeof name !== 'string' || !USER_NAME.test(name)) throw new ChatError('unauthorized', 'token has no valid name (1-25 of A-Z a-z 0-9 _)');
    const roles = parseRoles(payload.roles);
    if (typeof roles === 'string') throw new ChatError('unauthorized', `token ${roles}`);
    const knownSince = parseKnownSince(payload[KNOWN_SINCE_CLAIM]);
    return { id: sub, name, color: parseColor(payload.color), roles, ...(knownSince !== undefined ? { knownSince } : {}) };
  }

  async #verifyPayload(token: string): Promise<JWTPayload> {
    try {
      const alg = decodeAlg(token);
      if (alg === 'HS256') {
        return (await jwtVerify(token, await this.#secret, { ...this.#verifyOptions, algorithms: ['HS256'] })).payload;
      }
      if (this.#jwks && (alg === 'RS256' || alg === 'ES256')) {
        return (await jwtVerify(token, this.#jwks, { ...this.#verifyOptions, algorithms: ['RS256', 'ES256'] })).payload;
      }
      throw new errors.JOSEAlgNotAllowed(`algorithm ${alg} is not accepted`);
    } catch (err) {
      const refusal = verifierRefusal(err);
      if (refusal.tokensFault) this.#logger?.debug({ err }, 'token refused');
      else this.#logger?.warn({ err }, 'token could not be verified');
      throw new ChatError('unauthorized', refusal.sentence);
    }
  }

  /** Development mode only: a token for anyone who asks. */
  async issueDevToken(name: string, roles: Record<string, Role[]>, color?: string): Promise<{ token: string; identity: Identity }> {
    const identity: Identity = { id: userIdForName(name), name, color, roles };
    const jwt = new SignJWT({ name, roles, ...(color ? { color } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(identity.id)
      .setIssuedAt()
      .setExpirationTime(DEV_TOKEN_TTL)
      .setIssuer(DEV_TOKEN_ISSUER);
    if (this.#audience !== undefined) jwt.setAudience(this.#audience);
    const token = await jwt.sign(await this.#secret);
    return { token, identity };
  }
}

function decodeAlg(token: string): string {
  const dot = token.indexOf('.');
  const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown } | null;
  if (typeof header !== 'object' || header === null) throw new errors.JWSInvalid('the header is not an object');
  return String(header.alg);
}
