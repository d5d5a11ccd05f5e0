/** GET /healthz (the process answers) and GET /readyz (it should get traffic). */
import type { RouteRegistrar } from './app.js';

export interface Readiness {
  ready: boolean;
  /** why not ready, e.g. ['cache degraded'] or ['stopping']; empty when ready */
  reasons: string[];
}

export interface HealthSource {
  readiness(): Readiness | Promise<Readiness>;
}

export function healthRoutes(source: HealthSource): RouteRegistrar {
  return (app) => {
    app.get('/healthz', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    });
    app.get('/readyz', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      const state = await source.readiness();
      if (state.ready) return { status: 'ready' };
      return reply.code(503).send({ status: 'not ready', reasons: state.reasons });
    });
  };
}
