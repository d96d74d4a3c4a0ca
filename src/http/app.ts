import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { ErrorObject } from 'ajv';
import { ChatError } from '../protocol/errors.ts';
import { clientJsonAjv, refusalSentence } from '../protocol/refusal-sentence.ts';
import { MAX_ID_LENGTH } from '../protocol/schemas.ts';
import { sendChatError } from './context.ts';
import { decimalIntegersOnly } from './decimal-query.ts';
import { backendError } from '../chat/backend-error.ts';

const BODY_LIMIT = 64 * 1024;

/** How the HTTP server treats its sockets (src/server.ts builds them from the config). */
export interface HttpServerOptions {
  /** Whether a request's socket is handed to the 'upgrade' listeners; otherwise it is an ordinary request. */
  shouldUpgrade: (request: IncomingMessage) => boolean;
  /** Whether a peer address is a trusted proxy, whose X-Forwarded-For names the client (request.ip). */
  trustProxy: (address: string) => boolean;
  requestTimeoutMs: number;
}

// Node checks slow requests against requestTimeoutMs this often (its default, 30 s, for long timeouts).
const REQUEST_TIMEOUT_CHECKS = 4;

/**
 * The Fastify instance with what every route shares: OpenAPI generated from
 * the route schemas (page at /docs), PROTOCOL.md refusal bodies for every
 * error, a small body limit, and a deadline for a request to arrive.
 */
export async function createHttpApp(logger: Logger, server: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Path ids are bounded by their schemas (MAX_ID_LENGTH characters, as over the WebSocket),
    // not by the router's default of 100: room for each character percent-encoded as 4 UTF-8 bytes.
    routerOptions: { maxParamLength: MAX_ID_LENGTH * 12 },
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: server.trustProxy,
    requestTimeout: server.requestTimeoutMs,
    // Also given to Node's server itself: set only afterwards (as Fastify does), Node 24 keeps timing requests by its default.
    http: { requestTimeout: server.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.ceil(server.requestTimeoutMs / REQUEST_TIMEOUT_CHECKS)), shouldUpgradeCallback: server.shouldUpgrade },
  });
  // Query strings and paths are text, so their numbers are coerced; a JSON body
  // is typed already, and {"text": 5} must be refused, not turned into "5" (as a WebSocket frame is).
  const textParts = clientJsonAjv({ coerceTypes: 'array' });
  const bodies = clientJsonAjv();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return bodies.compile(schema);
    const validate = textParts.compile(schema);
    return httpPart === 'querystring' ? decimalIntegersOnly(schema, validate) : validate;
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Chorus HTTP API', version: '1', description: 'Live chat for live streams. The WebSocket protocol is in docs/protocol.md.' },
      // Relative: the server that serves this document, whatever name clients reach it by.
      servers: [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'the adminToken setting: operator endpoints (docs/operations.md)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ChatError) return sendChatError(reply, err);
    const e = err as { validation?: ErrorObject[]; validationContext?: string; statusCode?: number; message: string };
    // A schema's refusal reads as the same sentence as over the WebSocket.
    if (e.validation !== undefined && e.validation.length > 0) return reply.code(400).send({ code: 'invalid', message: refusalSentence(e.validation, e.validationContext) });
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 413 ? 'too_long' : 'invalid';
      return reply.code(e.statusCode === 413 ? 413 : 400).send({ code, message: e.message });
    }
    // Whatever failed (a backing service, a bug), its text stays in the log under the reference the client gets.
    const refusal = backendError(logger, err, { method: request.method, url: request.url });
    return reply.code(500).send({ code: refusal.code, message: refusal.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 'invalid', message: 'no such resource' }));
  return app;
}
