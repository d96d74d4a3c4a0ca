import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SystemNotices } from '../chat/system-notices.ts';
import { NoticeBody } from '../protocol/schemas.ts';
import * as S from './schemas.ts';

const Published = Type.Object({ id: Type.String(), seq: Type.Integer(), ts: Type.Integer() });

/**
 * The host site's system notices (extension): an operator endpoint
 * (operator-access.ts), since only the host site's own backend knows who
 * subscribed or raided; a broadcaster's token could otherwise fake them.
 */
export function registerNoticeRoutes(base: FastifyInstance, notices: SystemNotices): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/streams/:s/notices', {
    schema: {
      summary: 'Host site: a system notice (sub, resub, subgift, submysterygift, raid) into the stream (extension; operator endpoint)',
      tags: ['notices'],
      params: S.StreamParams,
      body: NoticeBody,
      response: { 201: Published, '4xx': S.Refusal, '5xx': S.Refusal },
    },
  }, async (request, reply) => {
    const message = await notices.publish(request.params.s, request.body);
    return reply.code(201).send({ id: message.id, seq: message.seq, ts: message.ts });
  });
}
