import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import * as S from '../schemas.ts';
import { ErrorBody, ModeratorList, ModeratorListQuery } from './youtube-schemas.ts';
import { partsOf } from './live-chat-resources.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { resourceId } from './resource-ids.ts';

const DEFAULT_MAX_RESULTS = 5;

/**
 * liveChatModerators.list: the users granted `moderator` on the server, seen
 * by moderators as the v1 roles list is (listRoles). Moderators only by their
 * tokens are not listed: the server holds no list of them.
 */
export function registerModeratorRoutes(base: FastifyInstance, moderation: ModeratorActions): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/liveChat/moderators', {
    schema: {
      summary: "liveChatModerators.list: a stream's granted moderators",
      tags: ['youtube'],
      security: S.bearer,
      querystring: ModeratorListQuery,
      response: { 200: ModeratorList, '4xx': ErrorBody, '5xx': ErrorBody },
    },
  }, async (request) => {
    const { liveChatId, part, pageToken, maxResults } = request.query;
    const parts = partsOf(part, ['id', 'snippet']);
    const grants = await moderation.listRoles(request.identity, liveChatId);
    const all = [...grants].filter(([, roles]) => roles.includes('moderator')).map(([user]) => user).sort();
    const start = pageToken === undefined ? 0 : decodePageToken('offset', pageToken);
    const end = start + (maxResults ?? DEFAULT_MAX_RESULTS);
    const items = all.slice(start, end).map((user) => ({
      kind: 'youtube#liveChatModerator' as const,
      id: resourceId(liveChatId, user),
      ...(parts.has('snippet') ? { snippet: { liveChatId, moderatorDetails: { channelId: user } } } : {}),
    }));
    return {
      kind: 'youtube#liveChatModeratorListResponse' as const,
      ...(end < all.length ? { nextPageToken: encodePageToken('offset', end) } : {}),
      pageInfo: { totalResults: all.length, resultsPerPage: items.length },
      items,
    };
  });
}
