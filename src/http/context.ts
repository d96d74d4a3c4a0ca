import type { FastifyReply } from 'fastify';
import type { ChatError } from '../protocol/errors.ts';
import { httpStatusOf } from '../protocol/errors.ts';

/** PROTOCOL.md refusal body, with Retry-After when the client should wait. */
export function sendChatError(reply: FastifyReply, err: ChatError): FastifyReply {
  if (err.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(err.retryAfterMs / 1000));
  return reply.code(httpStatusOf(err.code)).send({ code: err.code, message: err.message, retryAfterMs: err.retryAfterMs });
}
