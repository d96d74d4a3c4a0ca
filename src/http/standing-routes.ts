import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ChatService } from '../chat/chat-service.ts';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import { StreamName, UserId, WarnReason } from '../protocol/schemas.ts';
import * as S from './schemas.ts';

export interface StandingRoutesDeps {
  moderation: Pick<ModeratorActions, 'apply'>;
  chat: Pick<ChatService, 'acknowledgeWarning'>;
}

const UserParams = Type.Object({ s: StreamName, user: UserId });
const WarnBody = Type.Object({ reason: WarnReason }, { additionalProperties: false });
const done = { 204: Type.Null(), '4xx': S.Refusal, '5xx': S.Refusal };

/**
 * The moderator workbench's actions over HTTP (extension): warn, restrict and
 * unrestrict a user, clear the chat; and the warned user's acknowledgement.
 * The same ModeratorActions as the v1 `mod` frame and IRC's commands.
 */
export function registerStandingRoutes(base: FastifyInstance, d: StandingRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['moderation'];
  app.put('/api/streams/:s/warnings/:user', {
    schema: { summary: 'Moderator: warn a user; their sends are refused (`warned`) until they acknowledge (extension)', tags, security: S.bearer, params: UserParams, body: WarnBody, response: done },
  }, async (request, reply) => {
    await d.moderation.apply(request.identity, request.params.s, { action: 'warn', user: request.params.user, reason: request.body.reason });
    return reply.code(204).send(null);
  });

  app.post('/api/streams/:s/warning/acknowledge', {
    schema: { summary: "The caller acknowledges a moderator's warning in the stream (extension)", tags: ['chat'], security: S.bearer, params: S.StreamParams, response: done },
  }, async (request, reply) => {
    await d.chat.acknowledgeWarning(request.identity, request.params.s);
    return reply.code(204).send(null);
  });

  app.put('/api/streams/:s/restrictions/:user', {
    schema: { summary: "Moderator: restrict a user: their lines reach only themselves and moderators (extension)", tags, security: S.bearer, params: UserParams, response: done },
  }, async (request, reply) => {
    await d.moderation.apply(request.identity, request.params.s, { action: 'restrict', user: request.params.user });
    return reply.code(204).send(null);
  });

  app.delete('/api/streams/:s/restrictions/:user', {
    schema: { summary: 'Moderator: lift a restriction (extension)', tags, security: S.bearer, params: UserParams, response: done },
  }, async (request, reply) => {
    await d.moderation.apply(request.identity, request.params.s, { action: 'unrestrict', user: request.params.user });
    return reply.code(204).send(null);
  });

  app.post('/api/streams/:s/clear', {
    schema: { summary: "Moderator: clear every line from viewers' screens (extension)", tags, security: S.bearer, params: S.StreamParams, response: done },
  }, async (request, reply) => {
    await d.moderation.apply(request.identity, request.params.s, { action: 'clear' });
    return reply.code(204).send(null);
  });
}
