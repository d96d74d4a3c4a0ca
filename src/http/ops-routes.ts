import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.ts';
import { OPS_SAMPLE_INTERVAL_MS } from '../observability/ops-series.ts';
import type { OpsPoint, OpsSeriesBody } from '../protocol/ops.ts';
import { withTimeout } from '../process/with-timeout.ts';

export interface OpsDeps {
  metrics: Metrics;
  /** Resolves true when every backing service answers. */
  ready: () => Promise<boolean>;
  /** A readiness check not answered by then is `unavailable` (default 2 s). */
  readyTimeoutMs?: number;
  draining: () => boolean;
  /** The recent points the operator page draws, one per second. */
  series: () => readonly OpsPoint[];
}

const READY_TIMEOUT_MS = 2_000;

/** Liveness, readiness, Prometheus metrics, and the operator page's JSON series. */
export function registerOpsRoutes(app: FastifyInstance, d: OpsDeps): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness: backing services reachable and not draining', tags: ['operations'] } }, async (_request, reply) => {
    if (d.draining()) return reply.code(503).send({ status: 'draining' });
    const ready = await withTimeout(d.ready(), d.readyTimeoutMs ?? READY_TIMEOUT_MS).catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    return reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });

  app.get('/api/ops/series', {
    schema: {
      summary: 'Per-second rates of the last minutes, computed from the metrics (the /ops page charts)',
      tags: ['operations'],
    },
  }, async (): Promise<OpsSeriesBody> => ({ intervalMs: OPS_SAMPLE_INTERVAL_MS, points: [...d.series()] }));
}
