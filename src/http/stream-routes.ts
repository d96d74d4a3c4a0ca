import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ChatService } from '../chat/chat-service.ts';
import type { StreamSettings } from '../chat/stream-settings.ts';
import { delayCutoff, olderThan } from './delayed-history.ts';
import { pollPage } from './poll-page.ts';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import { readStreamState, type StreamStateSources } from '../chat/stream-state.ts';
import type { Identity } from '../auth/identity.ts';
import type { BrokerHistory } from '../broker/broker.ts';
import { ChatError } from '../protocol/errors.ts';
import { rulesOf, type ModAction } from '../protocol/client-frames.ts';
import { FRAME_FIELDS, MessageId, Modes, ModesChange, RulesChange, StreamName, UserId } from '../protocol/schemas.ts';
import type { HistoryReadLimits } from './history-read-limits.ts';
import * as S from './schemas.ts';

export interface StreamRoutesDeps extends StreamStateSources {
  chat: ChatService;
  moderation: ModeratorActions;
  /** Polling and replay read the broker's history, as joins do. */
  broker: BrokerHistory;
  readLimits: HistoryReadLimits;
  pollingIntervalMs: number;
  /** Largest body of a send, in bytes: maxFrameBytes, as for a WebSocket frame (413 `too_long` beyond). */
  maxSendBodyBytes: number;
  /** The stream's chat delay cuts what readers other than moderators get (delayed-history.ts). */
  settings: StreamSettings;
}

// The v1 send frame's own fields: a reply's parent and an announcement's colour are checked as over the WebSocket.
const { text, parent, announce } = FRAME_FIELDS.send;
const SendBody = Type.Object({ text, parent, announce });

const MessagesQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'polling: messages with seq > after' })),
    from: Type.Optional(Type.Integer({ minimum: 0, description: 'replay: ms since epoch, inclusive' })),
    to: Type.Optional(Type.Integer({ minimum: 0, description: 'replay: ms since epoch, exclusive (default now)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most this many (capped by the server)' })),
  },
  { additionalProperties: false },
);

/** The stream resources of PROTOCOL.md's HTTP table. */
export function registerStreamRoutes(base: FastifyInstance, d: StreamRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const moderate = (request: { identity: Identity | null }, stream: string, action: ModAction): Promise<void> => d.moderation.apply(request.identity, stream, action);

  app.post('/api/streams/:s/messages', {
    bodyLimit: d.maxSendBodyBytes,
    schema: {
      summary: 'Post a chat message',
      tags: ['chat'],
      security: S.bearer,
      params: S.StreamParams,
      body: SendBody,
      response: { 201: S.Accepted, '4xx': S.Refusal, '5xx': S.Refusal },
    },
  }, async (request, reply) => {
    const { text, parent, announce } = request.body;
    const accepted = await d.chat.send(request.identity, request.params.s, text, { parent, announce });
    return reply.code(201).send(accepted);
  });

  app.get('/api/streams/:s/messages', {
    schema: {
      summary: 'Poll for new messages (after), or replay a time range (from, to)',
      description: 'Without after or from: the newest messages, for a client starting to poll. Moderators also see sampled-out messages in a replay. Without a token: a smaller page (anonymousReadMax), and a per-address rate (429 rate_limited).',
      tags: ['chat'],
      security: S.optionalBearer,
      params: S.StreamParams,
      querystring: MessagesQuery,
      response: {
        200: Type.Object({ messages: Type.Array(S.Message), next: Type.Integer(), pollingIntervalMillis: Type.Integer() }),
        '4xx': S.Refusal,
      },
    },
  }, async (request) => {
    const { s } = request.params;
    const { after, from, to, limit: asked } = request.query;
    const identity = request.identity;
    const pageMax = d.readLimits.pageMax(identity, request.ip);
    const limit = Math.min(asked ?? pageMax, pageMax);
    const pollingIntervalMillis = d.pollingIntervalMs;
    if (from !== undefined) {
      if (after !== undefined) throw new ChatError('invalid', 'use either after (polling) or from/to (replay)');
      const end = to ?? Date.now();
      if (end < from) throw new ChatError('invalid', 'to must not be before from');
      const includeSampled = await d.moderation.isModerator(identity, s);
      const cutoff = await delayCutoff(d.settings, d.moderation, identity, s, Date.now());
      const messages = olderThan(await d.broker.range(s, from, end, limit, includeSampled), cutoff ?? Infinity);
      const next = messages.length > 0 ? messages[messages.length - 1]!.seq : 0;
      return { messages, next, pollingIntervalMillis };
    }
    if (to !== undefined) throw new ChatError('invalid', 'to needs from');
    return { ...await pollPage(d, identity, s, after, limit), pollingIntervalMillis };
  });

  app.get('/api/streams/:s', {
    schema: { summary: "A stream's State", tags: ['chat'], params: S.StreamParams, response: { 200: S.State } },
  }, async (request) => readStreamState(d, request.params.s));

  app.delete('/api/streams/:s/messages/:id', {
    schema: {
      summary: 'Moderator: delete one message',
      tags: ['moderation'],
      security: S.bearer,
      params: Type.Object({ s: StreamName, id: MessageId }),
      response: { 204: Type.Null(), '4xx': S.Refusal },
    },
  }, async (request, reply) => {
    await moderate(request, request.params.s, { action: 'delete', id: request.params.id });
    return reply.code(204).send(null);
  });

  const banParams = Type.Object({ s: StreamName, user: UserId });
  app.put('/api/streams/:s/bans/:user', {
    schema: {
      summary: 'Moderator: ban a user, or time them out with seconds',
      tags: ['moderation'],
      security: S.bearer,
      params: banParams,
      body: S.BanBody,
      response: { 204: Type.Null(), '4xx': S.Refusal },
    },
  }, async (request, reply) => {
    const { seconds, reason } = request.body ?? {};
    const { s, user } = request.params;
    const why = reason === undefined ? {} : { reason };
    await moderate(request, s, seconds === undefined ? { action: 'ban', user, ...why } : { action: 'timeout', user, seconds, ...why });
    return reply.code(204).send(null);
  });

  app.delete('/api/streams/:s/bans/:user', {
    schema: { summary: 'Moderator: unban a user', tags: ['moderation'], security: S.bearer, params: banParams, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await moderate(request, request.params.s, { action: 'unban', user: request.params.user });
    return reply.code(204).send(null);
  });

  app.patch('/api/streams/:s/modes', {
    schema: {
      summary: 'Moderator: change modes',
      tags: ['moderation'],
      security: S.bearer,
      params: S.StreamParams,
      body: ModesChange,
      response: { 200: Modes, '4xx': S.Refusal },
    },
  }, async (request) => {
    const { s } = request.params;
    await moderate(request, s, { action: 'modes', modes: request.body });
    return d.state.getModes(s);
  });

  app.get('/api/streams/:s/rules', {
    schema: { summary: "Moderator: the stream's rules", tags: ['moderation'], security: S.bearer, params: S.StreamParams, response: { 200: S.Rules, '4xx': S.Refusal } },
  }, async (request) => {
    await d.moderation.authorize(request.identity, request.params.s);
    return d.state.getRules(request.params.s);
  });

  app.put('/api/streams/:s/rules', {
    schema: { summary: "Moderator: replace the stream's rules", tags: ['moderation'], security: S.bearer, params: S.StreamParams, body: RulesChange, response: { 200: S.Rules, '4xx': S.Refusal } },
  }, async (request) => {
    const rules = rulesOf(request.body);
    await moderate(request, request.params.s, { action: 'rules', rules });
    return rules;
  });

  const heldParams = Type.Object({ s: StreamName, id: MessageId });
  app.get('/api/streams/:s/held', {
    schema: {
      summary: 'Moderator: messages held by automod (extension)',
      tags: ['moderation'],
      security: S.bearer,
      params: S.StreamParams,
      response: {
        200: Type.Object({ held: Type.Array(Type.Object({ id: Type.String(), user: S.User, text: Type.String(), emotes: Type.Optional(Type.Array(S.Emote)), reason: Type.String(), heldAt: Type.Integer(), expiresAt: Type.Integer() })) }),
        '4xx': S.Refusal,
      },
    },
  }, async (request) => ({ held: await d.moderation.heldMessages(request.identity, request.params.s) }));

  app.post('/api/streams/:s/held/:id/approve', {
    schema: { summary: 'Moderator: release a held message (extension)', tags: ['moderation'], security: S.bearer, params: heldParams, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await moderate(request, request.params.s, { action: 'approve', id: request.params.id });
    return reply.code(204).send(null);
  });

  app.delete('/api/streams/:s/held/:id', {
    schema: { summary: 'Moderator: discard a held message (extension)', tags: ['moderation'], security: S.bearer, params: heldParams, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await moderate(request, request.params.s, { action: 'deny', id: request.params.id });
    return reply.code(204).send(null);
  });
}
