/**
 * The http listeners: one fastify app with /healthz, /readyz and /metrics (issue 8 adds its
 * routes to `extraRoutes`), served on every `service: http` listener through @portcullis/http.
 */
import {
  createHttpApp,
  healthRoutes,
  metricsRoute,
  startHttpListener,
  type HealthSource,
  type HttpApp,
  type MetricsSource,
  type RouteRegistrar,
} from '@portcullis/http';
import type { ListenerOptions, RunningListener, TlsMaterial } from '@portcullis/listener';
import type { Logger } from 'pino';

export interface HttpSideDeps {
  logger: Logger;
  health: HealthSource;
  metrics: MetricsSource;
  tls?: TlsMaterial;
  extraRoutes?: readonly RouteRegistrar[];
}

export interface HttpSide {
  start(options: ListenerOptions): Promise<RunningListener>;
  close(): Promise<void>;
}

export function createHttpSide(deps: HttpSideDeps): HttpSide {
  let app: Promise<HttpApp> | undefined;
  const appOnce = (): Promise<HttpApp> =>
    (app ??= createHttpApp({
      logger: deps.logger,
      routes: [healthRoutes(deps.health), metricsRoute(deps.metrics), ...(deps.extraRoutes ?? [])],
    }));
  return {
    async start(options) {
      return startHttpListener(options, { app: await appOnce(), logger: deps.logger, ...(deps.tls ? { tls: deps.tls } : {}) });
    },
    async close() {
      if (app) await (await app).close();
    },
  };
}

/** Why this process should not get traffic now; empty when it should. */
export class ReadinessState implements HealthSource {
  private phase: 'starting' | 'serving' | 'stopping' = 'starting';

  constructor(private readonly cacheStatus: () => 'ok' | 'degraded') {}

  serving(): void {
    this.phase = 'serving';
  }

  stopping(): void {
    this.phase = 'stopping';
  }

  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (this.phase === 'starting') reasons.push('listeners starting');
    if (this.phase === 'stopping') reasons.push('stopping');
    if (this.cacheStatus() !== 'ok') reasons.push('cache degraded: lockout counted per instance, session-ID logins refused');
    return { ready: reasons.length === 0, reasons };
  }
}
