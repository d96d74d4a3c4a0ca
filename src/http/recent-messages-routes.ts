import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BrokerHistory } from '../broker/broker.ts';
import { ChatError } from '../protocol/errors.ts';
import type { Message } from '../protocol/types.ts';
import { StreamName } from '../protocol/schemas.ts';
import type { HistoryReadLimits } from './history-read-limits.ts';
import * as S from './schemas.ts';

export interface RecentMessagesDeps {
  history: Pick<BrokerHistory, 'latest'>;
  readLimits: HistoryReadLimits;
  /** A message as an IRC line with the historical tags (the IRC transport's encoding, handed in by server.ts). */
  historicalLine: (message: Message) => string;
}

// The recent-messages service answers 800 lines by default; a page here is bounded by the history read limits.
const DEFAULT_LIMIT = 800;

const Answer = Type.Object({
  messages: Type.Array(Type.String()),
  error: Type.Union([Type.String(), Type.Null()]),
  error_code: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The bridge for Chatterino and web chats that load history from the
 * recent-messages service (recent-messages.robotty.de): the same path and
 * answer, `{"messages":[IRC lines],"error":null,"error_code":null}`, so such a
 * client pointed here shows a Chorus stream's recent lines before live IRC.
 * The channel is the stream name. Reads count as history reads.
 */
export function registerRecentMessagesRoutes(base: FastifyInstance, d: RecentMessagesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/v2/recent-messages/:channel', {
    schema: {
      summary: "Chatterino's recent-messages: a stream's newest lines as IRC lines tagged historical=1 (extension)",
      tags: ['bridges'],
      params: Type.Object({ channel: StreamName }),
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) }),
      // A refused read answers in the service's shape; a malformed request (its path, its query) as every route does.
      response: { 200: Answer, '4xx': Type.Union([Answer, S.Refusal]), '5xx': S.Refusal },
    },
  }, async (request, reply) => {
    try {
      const limit = Math.min(request.query.limit ?? DEFAULT_LIMIT, d.readLimits.pageMax(request.identity, request.ip));
      const { messages } = limit === 0 ? { messages: [] } : await d.history.latest(request.params.channel, limit);
      return { messages: messages.map(d.historicalLine), error: null, error_code: null };
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      if (err.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(err.retryAfterMs / 1000));
      return reply.code(err.code === 'rate_limited' ? 429 : 400).send({ messages: [], error: err.message, error_code: err.code });
    }
  });
}
