import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import type { BrokerHistory } from '../broker/broker.ts';
import type { ModlogStore } from '../modlog/modlog-store.ts';
import type { StateStore } from '../state/state.ts';
import { MODLOG_ACTIONS } from '../protocol/modlog-entry.ts';
import { StreamName, UserId } from '../protocol/schemas.ts';
import * as S from './schemas.ts';

export interface ModlogRoutesDeps {
  moderation: ModeratorActions;
  modlog: ModlogStore;
  /** The user card's recent lines come from the stream's history, as a join's do. */
  history: Pick<BrokerHistory, 'latest'>;
  state: Pick<StateStore, 'firstSeen'>;
  now: () => number;
}

const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;
// The user card looks for the user's lines among the stream's newest this many, and shows at most CARD_LINES of them.
const CARD_SCAN = 500;
const CARD_LINES = 20;
const CARD_ACTIONS = 20;

const Entry = Type.Object({
  cursor: Type.Integer({ description: 'its place in the stream\'s audit log: pass the last one of a page as `before` for the next' }),
  stream: Type.String(),
  ts: Type.Integer(),
  seq: Type.Integer({ description: 'the stream\'s newest seq when the action was taken' }),
  actor: Type.Object({ id: Type.String(), name: Type.String() }),
  action: Type.Enum(MODLOG_ACTIONS),
  user: Type.Optional(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
  message: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
const Page = Type.Object({ entries: Type.Array(Entry), next: Type.Union([Type.Integer(), Type.Null()], { description: '`before` of the next (older) page; null at the end' }) });
const PageQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 0, description: 'entries older than this cursor (the previous page\'s `next`)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_MAX, description: `at most this many (default ${PAGE_DEFAULT})` })),
    user: Type.Optional(UserId),
  },
  { additionalProperties: false },
);
const Card = Type.Object({
  user: Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) }),
  firstSeen: Type.Union([Type.Integer(), Type.Null()], { description: 'when the stream first saw them (ms), null if it does not remember them' }),
  lines: Type.Array(S.Message, { description: `their newest lines among the stream's last ${CARD_SCAN}, oldest first` }),
  actions: Type.Array(Entry, { description: 'moderator actions on them, newest first' }),
});

/**
 * The audit log and the user card (extensions), for the stream's broadcaster
 * and moderators only: every request's role is checked like a moderator
 * action's (403 `forbidden` otherwise).
 */
export function registerModlogRoutes(base: FastifyInstance, d: ModlogRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/streams/:s/modlog', {
    schema: {
      summary: "Moderator: the stream's audit log of moderator actions, newest first, paged by cursor (extension)",
      tags: ['moderation'], security: S.bearer, params: S.StreamParams, querystring: PageQuery, response: { 200: Page, '4xx': S.Refusal },
    },
  }, async (request) => {
    await d.moderation.authorize(request.identity, request.params.s);
    const { before, limit = PAGE_DEFAULT, user } = request.query;
    const entries = await d.modlog.page(request.params.s, { before, limit, user });
    return { entries, next: entries.length === limit ? entries[entries.length - 1]!.cursor : null };
  });

  app.get('/api/streams/:s/users/:user/card', {
    schema: {
      summary: "Moderator: a user's card in the stream: their recent lines, first-seen time and the moderator actions on them (extension)",
      tags: ['moderation'], security: S.bearer, params: Type.Object({ s: StreamName, user: UserId }), response: { 200: Card, '4xx': S.Refusal },
    },
  }, async (request) => {
    const { s: stream, user } = request.params;
    await d.moderation.authorize(request.identity, stream);
    const [history, firstSeen, actions] = await Promise.all([
      d.history.latest(stream, CARD_SCAN),
      d.state.firstSeen(stream, user, d.now()),
      d.modlog.page(stream, { limit: CARD_ACTIONS, user }),
    ]);
    const lines = history.messages.filter((m) => m.user.id === user).slice(-CARD_LINES);
    const name = lines[lines.length - 1]?.user.name ?? actions.find((a) => a.user?.name !== undefined)?.user?.name;
    return { user: name === undefined ? { id: user } : { id: user, name }, firstSeen, lines, actions };
  });
}
