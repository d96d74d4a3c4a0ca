import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import type { Logger } from 'pino';
import { ChatError } from '../protocol/errors.ts';
import { InvalidFrame } from '../protocol/client-frames.ts';
import { sendChatError } from './context.ts';

const BODY_LIMIT = 64 * 1024;

/**
 * The Fastify instance with what every route shares: OpenAPI generated from
 * the route schemas (page at /docs), PROTOCOL.md refusal bodies for every
 * error, and a small body limit.
 */
export async function createHttpApp(logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Query strings and paths are text, so their numbers are coerced; a JSON body
  // is typed already, and {"text": 5} must be refused, not turned into "5".
  const textParts = new Ajv({ coerceTypes: 'array', strict: false, removeAdditional: false });
  const bodies = new Ajv({ coerceTypes: false, strict: false, removeAdditional: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : textParts).compile(schema));

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

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ChatError) return sendChatError(reply, err);
    if (err instanceof InvalidFrame) return sendChatError(reply, new ChatError('invalid', err.message));
    const e = err as { validation?: unknown; statusCode?: number; message: string };
    if (e.validation !== undefined || (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)) {
      const code = e.statusCode === 413 ? 'too_long' : 'invalid';
      return reply.code(e.statusCode === 413 ? 413 : 400).send({ code, message: e.message });
    }
    logger.error({ err }, 'unhandled HTTP error');
    return reply.code(500).send({ code: 'unavailable', message: 'internal error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 'invalid', message: 'no such resource' }));
  return app;
}
