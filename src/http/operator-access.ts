import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ChatError } from '../protocol/errors.ts';
import { sendChatError } from './context.ts';

export interface OperatorAccessOptions {
  dev: boolean;
  /** Bearer token that opens the operator endpoints anywhere; '' for none. */
  adminToken: string;
  /** Whether an admin listener is configured (adminPort). */
  adminListener: boolean;
  /** The request arrived on the admin listener. */
  onAdminListener: (raw: IncomingMessage) => boolean;
}

// What the server does and who talks on it: for its operators, not for viewers.
// /healthz and /readyz stay public for load balancers; /openapi.json describes the public API.
// The host site's system notices are its backend's, so they open the same way.
const OPERATOR_ROUTES = new Set(['/metrics', '/ops', '/api/ops/series', '/api/streams/:s/analytics', '/api/streams/:s/notices']);

/** The route patterns of the operator endpoints: the above and the OpenAPI page under /docs. */
export function isOperatorRoute(route: string | undefined): boolean {
  return route !== undefined && (OPERATOR_ROUTES.has(route) || route === '/docs' || route.startsWith('/docs/'));
}

/**
 * Who may use the operator endpoints (docs/operations.md): anyone on the
 * admin listener; elsewhere the bearer of the admin token. Development mode
 * with neither configured serves them to everyone, as the demo always has;
 * production with neither serves them to nobody (404).
 * Call before the routes are registered: their OpenAPI entries declare the token.
 */
export function guardOperatorRoutes(app: FastifyInstance, o: OperatorAccessOptions): void {
  if (o.dev && o.adminToken === '' && !o.adminListener) return;
  const expected = o.adminToken === '' ? undefined : digest(o.adminToken);
  if (expected !== undefined) {
    app.addHook('onRoute', (route) => {
      if (isOperatorRoute(route.url) && route.schema !== undefined) route.schema = { ...route.schema, security: [{ adminToken: [] }] };
    });
  }
  app.addHook('onRequest', async (request, reply) => {
    if (!isOperatorRoute(request.routeOptions.url) || o.onAdminListener(request.raw)) return;
    if (expected === undefined) {
      return reply.code(404).send({ code: 'invalid', message: 'operator endpoints are not served here (adminPort, adminToken: docs/operations.md)' });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    // Digests compared in constant time: neither the token nor its length leaks through timing.
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      // Sent here, not thrown: the /docs plugin's routes have an error handler of their own.
      reply.header('www-authenticate', 'Bearer realm="chorus operator"');
      return sendChatError(reply, new ChatError('unauthorized', 'operator endpoint: send Authorization: Bearer <admin token>'));
    }
  });
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
