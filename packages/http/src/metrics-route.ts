/** GET /metrics: whatever text the source renders (prom-client's registry, or the cluster aggregate). */
import type { RouteRegistrar } from './app.js';

export interface MetricsSource {
  /** e.g. prom-client's `register.contentType` */
  readonly contentType: string;
  metrics(): Promise<string>;
}

export function metricsRoute(source: MetricsSource): RouteRegistrar {
  return (app) => {
    app.get('/metrics', async (request, reply) => {
      try {
        const body = await source.metrics();
        return reply.header('content-type', source.contentType).header('cache-control', 'no-store').send(body);
      } catch (err) {
        request.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics collection failed');
        return reply.code(503).send({ status: 'metrics unavailable' });
      }
    });
  };
}
