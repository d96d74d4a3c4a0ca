import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.ts';

export interface OpsDeps {
  metrics: Metrics;
  /** Resolves true when every backing service answers. */
  ready: () => Promise<boolean>;
  draining: () => boolean;
}

/** Liveness, readiness and Prometheus metrics: what an orchestrator and a scraper ask. */
export function registerOpsRoutes(app: FastifyInstance, d: OpsDeps): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness: backing services reachable and not draining', tags: ['operations'] } }, async (_request, reply) => {
    if (d.draining()) return reply.code(503).send({ status: 'draining' });
    const ready = await d.ready().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    return reply.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });
}
