import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ChatError } from '../protocol/errors.ts';
import { encodeIrcToken } from '../auth/irc-token.ts';
import * as S from './schemas.ts';

// Room for `PASS oauth:` and the line end within the inbound line limit.
const PASS_OVERHEAD = 16;

/** POST /api/irc/token: the caller's JWT as an IRC password that survives tmi.js lower-casing it (docs/irc.md). */
export function registerIrcTokenRoutes(app: FastifyInstance, maxLineBytes: number): void {
  app.post('/api/irc/token', {
    schema: {
      summary: 'An IRC password for the bearer of this token',
      description: 'Use it as `PASS oauth:<token>` (tmi.js: `identity.password`). It is the JWT in lower-case base32: valid exactly as long as the JWT is.',
      tags: ['irc'],
      security: S.bearer,
      response: { 200: Type.Object({ token: Type.String() }), '4xx': S.Refusal },
    },
  }, async (request) => {
    // The identity is resolved (request-identity.ts): null only when no token was sent.
    if (request.identity === null) throw new ChatError('unauthorized', 'send Authorization: Bearer <token>');
    const jwt = request.headers.authorization!.replace(/^Bearer\s+/i, '');
    const token = encodeIrcToken(jwt);
    if (token.length + PASS_OVERHEAD > maxLineBytes) throw new ChatError('invalid', 'this token is too long to be an IRC password; use one with fewer roles');
    return { token };
  });
}
