import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Metrics } from '../../observability/metrics.ts';
import { joinedFrame, reconnectFrame } from '../../protocol/server-frames.ts';
import type { OutboundBatch, Viewer } from '../../fanout/outbound-frame.ts';
import type { StreamHub } from '../../fanout/stream-hub.ts';
import type { ConnectionBudget } from '../../limits/connection-budget.ts';
import { ChatError } from '../../protocol/errors.ts';
import { clientKey } from '../../http/client-address.ts';
import * as S from '../../http/schemas.ts';
import { sseBatchEvents } from './sse-encoding.ts';
import { decimalInteger } from '../../http/decimal-query.ts';

export interface SseOptions {
  hub: StreamHub;
  metrics: Metrics;
  historyDefault: number;
  resumeMax: number;
  socketHardLimitBytes: number;
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

let nextSseId = 0;

/** A read-only viewer over Server-Sent Events: the hub's shared frames, as events whose id is the newest seq. */
class SseViewer implements Viewer {
  readonly viewerId = `sse${++nextSseId}`;
  readonly signedIn = false;
  readonly #res: ServerResponse;
  readonly #hardLimit: number;
  readonly #onSlow: () => void;

  constructor(res: ServerResponse, hardLimit: number, onSlow: () => void) {
    this.#res = res;
    this.#hardLimit = hardLimit;
    this.#onSlow = onSlow;
  }

  deliver(batch: OutboundBatch): void {
    this.write(batch.formIn(sseBatchEvents));
  }

  write(chunk: string): void {
    if (this.#res.destroyed) return;
    // SSE has no close code; a reader this far behind is cut and resumes with Last-Event-ID.
    if (this.#res.writableLength > this.#hardLimit) {
      this.#onSlow();
      this.#res.destroy();
      return;
    }
    this.#res.write(chunk);
  }
}

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

/** GET /api/streams/:s/events, and the keep-alive and drain of every SSE response. */
export function registerSse(base: FastifyInstance, o: SseOptions): { drain(afterMs: number): void } {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const open = new Set<SseViewer>();
  const keepAlive = setInterval(() => {
    for (const viewer of open) viewer.write(': keep-alive\n\n');
  }, o.keepAliveMs ?? KEEP_ALIVE_MS);
  keepAlive.unref();

  app.get('/api/streams/:s/events', {
    schema: {
      summary: 'Live frames as Server-Sent Events (read only)',
      description: 'The first event is the `joined` frame; then msg, batch, retract, clear and state frames. Event ids are seqs: reconnecting with Last-Event-ID resumes with no gap.',
      tags: ['chat'],
      params: S.StreamParams,
      querystring: EventsQuery,
    },
  }, (request, reply) => {
    const slot = o.budget.admit(clientKey(request.ip));
    if (typeof slot === 'string') throw REFUSED[slot]();
    const stream = request.params.s;
    const since = resumeCursor(request.headers['last-event-id'], request.query.since);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const viewer = new SseViewer(res, o.socketHardLimitBytes, () => o.metrics.slowConsumerDrops.inc());
    open.add(viewer);
    o.metrics.connections.inc({ transport: 'sse' });
    let closed = false;
    res.on('close', () => {
      closed = true;
      slot.release();
      open.delete(viewer);
      o.hub.leave(stream, viewer);
      o.metrics.connections.dec({ transport: 'sse' });
    });
    const joinRequest = { history: request.query.history ?? o.historyDefault, since, resumeMax: o.resumeMax };
    o.hub.join(stream, viewer, joinRequest, (result) => {
      if (closed) throw new Error('closed');
      viewer.write(`id: ${result.seq}\ndata: ${joinedFrame(stream, result.seq, result.history, result.state, result.truncated)}\n\n`);
    }).catch(() => res.destroy());
  });

  return {
    drain(afterMs: number): void {
      clearInterval(keepAlive);
      const event = `data: ${reconnectFrame(afterMs)}\n\n`;
      for (const viewer of open) viewer.write(event);
    },
  };
}
