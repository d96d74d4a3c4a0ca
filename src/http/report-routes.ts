import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import { ChatError } from '../protocol/errors.ts';
import type { ReportIntake } from '../reports/report-intake.ts';
import type { ReportQueue } from '../reports/report-queue.ts';
import { MessageId, StreamName } from '../protocol/schemas.ts';
import * as S from './schemas.ts';

export interface ReportRoutesDeps {
  intake: ReportIntake;
  queue: ReportQueue;
  moderation: ModeratorActions;
  onReported: () => void;
}

const MAX_REASON_LENGTH = 500;
const LIST_MAX = 500;

const Report = Type.Object({
  id: Type.String(),
  stream: Type.String(),
  messageId: Type.String(),
  reason: Type.String(),
  reporter: Type.Object({ id: Type.String(), name: Type.String() }),
  ts: Type.Integer({ description: 'received, ms since epoch' }),
});
const ReportBody = Type.Object(
  {
    messageId: MessageId,
    reason: Type.String({ minLength: 1, maxLength: MAX_REASON_LENGTH }),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_MAX })) }, { additionalProperties: false });
const ReportParams = Type.Object({ s: StreamName, id: Type.String({ maxLength: 64 }) });

/** Viewers report messages; moderators read and dismiss the reports of their stream. */
export function registerReportRoutes(base: FastifyInstance, d: ReportRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/streams/:s/reports', {
    schema: {
      summary: 'Report a message to the moderators (extension)',
      description: 'Any signed-in viewer; rate limited per user. The report waits in a queue apart from chat.',
      tags: ['moderation'],
      security: S.bearer,
      params: S.StreamParams,
      body: ReportBody,
      response: { 201: Type.Object({ id: Type.String() }), '4xx': S.Refusal, '5xx': S.Refusal },
    },
  }, async (request, reply) => {
    const { messageId, reason } = request.body;
    const report = await d.intake.report(request.identity, request.params.s, messageId, reason);
    d.onReported();
    return reply.code(201).send({ id: report.id });
  });

  app.get('/api/streams/:s/reports', {
    schema: {
      summary: 'Moderator: pending reports, newest first (extension)',
      tags: ['moderation'],
      security: S.bearer,
      params: S.StreamParams,
      querystring: ListQuery,
      response: { 200: Type.Object({ reports: Type.Array(Report) }), '4xx': S.Refusal },
    },
  }, async (request) => {
    await d.moderation.authorize(request.identity, request.params.s);
    return { reports: await d.queue.list(request.params.s, request.query.limit ?? 100) };
  });

  app.delete('/api/streams/:s/reports/:id', {
    schema: { summary: 'Moderator: dismiss a report (extension)', tags: ['moderation'], security: S.bearer, params: ReportParams, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await d.moderation.authorize(request.identity, request.params.s);
    if (!(await d.queue.dismiss(request.params.s, request.params.id))) throw new ChatError('invalid', 'no such report');
    return reply.code(204).send(null);
  });
}
