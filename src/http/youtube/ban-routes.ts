import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import type { ModAction } from '../../protocol/client-frames.ts';
import { MAX_TIMEOUT_SECONDS } from '../../protocol/schemas.ts';
import * as S from '../schemas.ts';
import { BanInsert, ErrorBody, IdQuery, LiveChatBan, PartQuery } from './youtube-schemas.ts';
import { partsOf } from './live-chat-resources.ts';
import { parseResourceId, resourceId } from './resource-ids.ts';
import { YouTubeError } from './youtube-errors.ts';

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

/** liveChatBans: a permanent ban is Chorus's ban, a temporary one its timeout; delete is the unban. */
export function registerBanRoutes(base: FastifyInstance, moderation: ModeratorActions): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/liveChat/bans', {
    schema: {
      summary: 'liveChatBans.insert: a moderator bans a user, or times them out (temporary, banDurationSeconds)',
      tags: ['youtube'],
      security: S.bearer,
      querystring: PartQuery,
      body: BanInsert,
      response: { 200: LiveChatBan, ...errors },
    },
  }, async (request) => {
    partsOf(request.query.part, ['snippet']);
    const { liveChatId, type, bannedUserDetails } = request.body.snippet;
    const user = bannedUserDetails.channelId;
    const seconds = type === 'temporary' ? durationOf(request.body) : undefined;
    const action: ModAction = seconds === undefined ? { action: 'ban', user } : { action: 'timeout', user, seconds };
    await moderation.apply(request.identity, liveChatId, action);
    const snippet = { liveChatId, type, bannedUserDetails: { channelId: user }, ...(seconds === undefined ? {} : { banDurationSeconds: String(seconds) }) };
    return { kind: 'youtube#liveChatBan' as const, id: resourceId(liveChatId, user), snippet };
  });

  app.delete('/liveChat/bans', {
    schema: {
      summary: 'liveChatBans.delete: a moderator lifts a ban or a timeout',
      tags: ['youtube'],
      security: S.bearer,
      querystring: IdQuery,
      response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const { stream, id } = parseResourceId(request.query.id, 'liveChatBanNotFound');
    await moderation.apply(request.identity, stream, { action: 'unban', user: id });
    return reply.code(204).send(null);
  });
}

/** A temporary ban's seconds, within a timeout's bounds (the v1 `timeout` action's). */
function durationOf(body: BanInsert): number {
  const raw = body.snippet.banDurationSeconds;
  const seconds = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new YouTubeError(400, 'global', 'invalidValue', `a temporary ban needs banDurationSeconds, an integer from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return seconds;
}
