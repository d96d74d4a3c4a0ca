import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import type { ModlogRecorder } from '../chat/modlog-recorder.ts';
import type { DurableLog } from '../log/log.ts';
import { ChatError } from '../protocol/errors.ts';
import type { ModAction } from '../protocol/client-frames.ts';
import { StreamName, TimeoutSeconds } from '../protocol/schemas.ts';
import { reportContext } from '../reports/report-context.ts';
import type { Report, ReportQueue } from '../reports/report-queue.ts';
import * as S from './schemas.ts';

export interface ReportReviewDeps {
  queue: ReportQueue;
  moderation: ModeratorActions;
  log: DurableLog;
  /** A resolution is recorded in the audit log (the delete, timeout or ban it led to is recorded by the action itself). */
  modlog: Pick<ModlogRecorder, 'record'>;
}

// A stream's pending reports are at most this many (the list route's bound): one is found among them.
const FIND_LIMIT = 500;

const Params = Type.Object({ s: StreamName, id: Type.String({ maxLength: 64 }) });
const Resolution = Type.Object(
  {
    action: Type.Union([Type.Literal('dismiss'), Type.Literal('delete'), Type.Literal('timeout'), Type.Literal('ban')], { 'x-refusal': 'action must be one of dismiss, delete, timeout, ban' }),
    seconds: Type.Optional(TimeoutSeconds),
  },
  { additionalProperties: false },
);
const Context = Type.Object({
  report: Type.Object({ id: Type.String(), messageId: Type.String(), reason: Type.String(), reporter: Type.Object({ id: Type.String(), name: Type.String() }), ts: Type.Integer() }),
  message: Type.Union([S.Message, Type.Null()]),
  before: Type.Array(S.Message),
  after: Type.Array(S.Message),
});

/**
 * The reports queue of the page: a report with its line in context, and its
 * resolution in one request (dismiss, or delete the line, time out or ban its
 * author, then dismiss), every action checked like any moderator action.
 */
export function registerReportReviewRoutes(base: FastifyInstance, d: ReportReviewDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const pending = async (stream: string, id: string): Promise<Report> => {
    const report = (await d.queue.list(stream, FIND_LIMIT)).find((r) => r.id === id);
    if (report === undefined) throw new ChatError('invalid', 'no such report');
    return report;
  };

  app.get('/api/streams/:s/reports/:id', {
    schema: {
      summary: 'Moderator: one pending report with its line and a few lines before and after it (extension)',
      tags: ['moderation'], security: S.bearer, params: Params, response: { 200: Context, '4xx': S.Refusal },
    },
  }, async (request) => {
    await d.moderation.authorize(request.identity, request.params.s);
    const report = await pending(request.params.s, request.params.id);
    return { report, ...(await reportContext(d.log, request.params.s, report.messageId)) };
  });

  app.post('/api/streams/:s/reports/:id/resolve', {
    schema: {
      summary: 'Moderator: resolve a report in one step: dismiss it, or delete the line, time out or ban its author, and dismiss it (extension)',
      description: '`seconds` is the timeout (default 600). The action is refused as the same moderator action would be (roles, hierarchy, rate limit); the report then stays pending.',
      tags: ['moderation'], security: S.bearer, params: Params, body: Resolution, response: { 204: Type.Null(), '4xx': S.Refusal },
    },
  }, async (request, reply) => {
    const { s: stream, id } = request.params;
    const actor = await d.moderation.authorize(request.identity, stream);
    const report = await pending(stream, id);
    const { action, seconds = 600 } = request.body;
    const message = await d.log.message(stream, report.messageId);
    if (action !== 'dismiss') {
      if (message === undefined && action !== 'delete') throw new ChatError('invalid', 'the reported line is gone; its author is unknown');
      const reason = `report: ${report.reason}`;
      const modAction: ModAction | undefined = action === 'delete'
        ? (message === undefined ? undefined : { action, id: report.messageId, reason })
        : action === 'timeout' ? { action, user: message!.user.id, seconds, reason } : { action, user: message!.user.id, reason };
      if (modAction !== undefined) await d.moderation.apply(request.identity, stream, modAction);
    }
    if (await d.queue.dismiss(stream, id)) {
      const user = message === undefined ? {} : { user: { id: message.user.id, name: message.user.name } };
      await d.modlog.record(actor, stream, { action: 'resolve', message: report.messageId, ...user, reason: report.reason, detail: action });
    }
    return reply.code(204).send(null);
  });
}
