import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ChatService } from '../../chat/chat-service.ts';
import type { HistoryReadLimits } from '../history-read-limits.ts';
import { pollPage, type PollSources } from '../poll-page.ts';
import * as S from '../schemas.ts';
import { ErrorBody, IdQuery, LiveChatMessage, MessageInsert, MessageList, MessageListQuery, PartQuery } from './youtube-schemas.ts';
import { liveChatMessage, MESSAGE_PARTS, partsOf } from './live-chat-resources.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { parseResourceId } from './resource-ids.ts';

export interface MessageRoutesDeps extends PollSources {
  chat: ChatService;
  readLimits: HistoryReadLimits;
  pollingIntervalMs: number;
  /** maxFrameBytes, as for every send. */
  maxSendBodyBytes: number;
}

const DEFAULT_MAX_RESULTS = 500;
const errors = { '4xx': ErrorBody, '5xx': ErrorBody };

/** liveChatMessages: list (polling by page token), insert (a send) and delete (the moderator action). */
export function registerMessageRoutes(base: FastifyInstance, d: MessageRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/liveChat/messages', {
    schema: {
      summary: "liveChatMessages.list: a stream's lines after the page token (the newest without one)",
      tags: ['youtube'],
      security: S.optionalBearer,
      querystring: MessageListQuery,
      response: { 200: MessageList, ...errors },
    },
  }, async (request) => {
    const { liveChatId, part, pageToken, maxResults } = request.query;
    const parts = partsOf(part, MESSAGE_PARTS);
    const after = pageToken === undefined ? undefined : decodePageToken('seq', pageToken);
    const limit = Math.min(maxResults ?? DEFAULT_MAX_RESULTS, d.readLimits.pageMax(request.identity, request.ip));
    const page = await pollPage(d, request.identity, liveChatId, after, limit);
    const items = page.messages.map((m) => liveChatMessage(m, parts));
    return {
      kind: 'youtube#liveChatMessageListResponse' as const,
      nextPageToken: encodePageToken('seq', page.next),
      pollingIntervalMillis: d.pollingIntervalMs,
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
      items,
    };
  });

  app.post('/liveChat/messages', {
    bodyLimit: d.maxSendBodyBytes,
    schema: {
      summary: 'liveChatMessages.insert: post a textMessageEvent (a send)',
      tags: ['youtube'],
      security: S.bearer,
      querystring: PartQuery,
      body: MessageInsert,
      response: { 200: LiveChatMessage, ...errors },
    },
  }, async (request) => {
    const parts = partsOf(request.query.part, MESSAGE_PARTS);
    const { liveChatId, textMessageDetails } = request.body.snippet;
    const text = textMessageDetails.messageText;
    const accepted = await d.chat.send(request.identity, liveChatId, text);
    return liveChatMessage({ id: accepted.id, stream: liveChatId, seq: accepted.seq, ts: accepted.ts, user: accepted.user, text }, parts);
  });

  app.delete('/liveChat/messages', {
    schema: {
      summary: 'liveChatMessages.delete: a moderator deletes one line',
      tags: ['youtube'],
      security: S.bearer,
      querystring: IdQuery,
      response: { 204: Type.Null(), ...errors },
    },
  }, async (request, reply) => {
    const { stream, id } = parseResourceId(request.query.id, 'liveChatMessageNotFound');
    await d.moderation.apply(request.identity, stream, { action: 'delete', id });
    return reply.code(204).send(null);
  });
}
