import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { ChatError } from '../../protocol/errors.ts';
import { clientKey } from '../../http/client-address.ts';
import * as S from '../../http/schemas.ts';
import { decimalInteger } from '../../http/decimal-query.ts';
import type { SessionDeps } from '../../session/session.ts';
import { SessionSet } from '../../session/session-set.ts';
import { SseCodec } from './sse-codec.ts';
import { SseResponse } from './sse-response.ts';

export interface SseOptions extends SessionDeps {
  historyDefault: number;
  /** A comment line this often keeps proxies from closing an idle stream (default 15 s). */
  keepAliveMs?: number;
  /** An SSE reader holds a socket like any viewer: it counts in the process's and its address's connections. */
  budget: ConnectionBudget;
}

const KEEP_ALIVE_MS = 15_000;
// The refusal answers of the connection budget, as the WebSocket upgrade's statuses (503, 429) with PROTOCOL.md bodies.
const REFUSED = {
  full: () => new ChatError('overloaded', 'this server is full; try again shortly', 1_000),
  address: () => new ChatError('rate_limited', 'too many connections from this address', 10_000),
};
const CODEC = new SseCodec();

const EventsQuery = Type.Object(
  {
    since: Type.Optional(Type.Integer({ minimum: 0, description: 'resume after this seq (Last-Event-ID wins)' })),
    history: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
  },
  { additionalProperties: false },
);

/**
 * `Last-Event-ID` wins over `?since=`. An empty one (a browser sends none,
 * but a proxy or client may) is no cursor at all, not seq 0: that would
 * replay the whole stream. Anything else must be a decimal seq.
 */
function resumeCursor(lastEventId: string | string[] | undefined, since: number | undefined): number | undefined {
  if (lastEventId === undefined || lastEventId === '') return since;
  const seq = typeof lastEventId === 'string' ? decimalInteger(lastEventId) : undefined;
  if (seq === undefined) throw new ChatError('invalid', 'Last-Event-ID must be a seq: a decimal integer');
  return seq;
}

/** GET /api/streams/:s/events: each reader is a session (src/session/) speaking SSE over an HTTP response. */
export function registerSse(base: FastifyInstance, o: SseOptions): { drain(afterMs: number): void; close(): void } {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const sessions = new SessionSet({ deps: o, budget: o.budget, heartbeatMs: o.keepAliveMs ?? KEEP_ALIVE_MS });

  app.get('/api/streams/:s/events', {
    schema: {
      summary: 'Live frames as Server-Sent Events (read only)',
      description: 'The first event is the `joined` frame; then msg, batch, retract, clear and state frames. Event ids are seqs: reconnecting with Last-Event-ID resumes with no gap.',
      tags: ['chat'],
      params: S.StreamParams,
      querystring: EventsQuery,
    },
  }, (request, reply) => {
    const stream = request.params.s;
    const since = resumeCursor(request.headers['last-event-id'], request.query.since);
    const slot = sessions.admit(clientKey(request.ip));
    if (typeof slot === 'string') throw REFUSED[slot]();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.once('close', () => slot.release());
    const session = sessions.open(new SseResponse(res), CODEC, slot);
    const ask = { history: request.query.history ?? o.historyDefault, since, roles: false };
    void session.join(stream, ask, undefined).then((joined) => {
      if (!joined) session.close('done');
    });
  });

  return {
    drain: (afterMs) => sessions.drain(afterMs),
    close: () => sessions.close(),
  };
}
