import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { StreamAnalytics } from '../analytics/stream-analytics.ts';
import * as S from './schemas.ts';

const Analytics = Type.Object({
  stream: Type.String(),
  perMinute: Type.Array(Type.Object({ minute: Type.Integer({ description: 'start of the minute, ms since epoch' }), messages: Type.Integer() }), {
    description: 'the last 60 minutes, oldest first, ending with the current (partial) minute',
  }),
  lastMinute: Type.Integer({ description: 'messages in the last full minute' }),
  topChatters: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), messages: Type.Integer() }), {
    description: 'heaviest chatters of the last 30 to 60 minutes (approximate counts, never understated)',
  }),
});

/** Per-stream analytics from the analytics consumer group: it trails the chat by up to a poll interval. */
export function registerAnalyticsRoutes(base: FastifyInstance, analytics: StreamAnalytics, now: () => number): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/streams/:s/analytics', {
    schema: {
      summary: 'Messages per minute and top chatters of a stream (extension)',
      tags: ['analytics'],
      params: S.StreamParams,
      response: { 200: Analytics, '4xx': S.Refusal },
    },
  }, async (request) => analytics.report(request.params.s, now()));
}
