import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/tokens.ts';
import type { Identity } from '../auth/identity.ts';
import { ChatError, httpStatusOf } from '../protocol/errors.ts';

/** The identity of an HTTP request: null without a bearer token; a bad token is 401. */
export async function identityOf(auth: Authenticator, request: FastifyRequest): Promise<Identity | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) throw new ChatError('unauthorized', 'Authorization must be "Bearer <token>"');
  return auth.verify(match[1]);
}

/** PROTOCOL.md refusal body, with Retry-After when the client should wait. */
export function sendChatError(reply: FastifyReply, err: ChatError): FastifyReply {
  if (err.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(err.retryAfterMs / 1000));
  return reply.code(httpStatusOf(err.code)).send({ code: err.code, message: err.message, retryAfterMs: err.retryAfterMs });
}
