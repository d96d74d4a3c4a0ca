import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Authenticator } from '../auth/tokens.ts';
import type { Identity } from '../auth/identity.ts';
import { ChatError } from '../protocol/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The bearer's identity on a route that declares bearer security; null without a token. */
    identity: Identity | null;
  }
}

/**
 * Resolves who is asking, once, for every route whose schema declares bearer
 * security (the OpenAPI declaration is what the route does): null without an
 * Authorization header, 401 for a malformed header or a bad token, even on a
 * route where a token is optional (a client learns at once that it is bad).
 * Whether a route needs someone is the route's own call (ChatService and
 * ModeratorActions refuse null where they must). It runs after validation, as
 * the handlers did, so a bad request with a bad token is still a 400.
 * Call before the routes are registered, after guardOperatorRoutes (whose
 * routes declare the admin token instead).
 */
export function resolveIdentities(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('identity', null);
  const resolve: preHandlerAsyncHookHandler = async (request) => {
    request.identity = await identityOf(auth, request);
  };
  app.addHook('onRoute', (route) => {
    const security = (route.schema as { security?: Array<Record<string, unknown>> } | undefined)?.security;
    if (security === undefined || !security.some((requirement) => 'bearer' in requirement)) return;
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [resolve, ...own];
  });
}

async function identityOf(auth: Authenticator, request: FastifyRequest): Promise<Identity | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) throw new ChatError('unauthorized', 'Authorization must be "Bearer <token>"');
  return auth.verify(match[1]);
}
