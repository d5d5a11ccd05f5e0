/**
 * The gateway's Prometheus metrics (prom-client), fed by auth-core's onLogin observer, the
 * listener's connection accounting and the cache's error hook. Label values are bounded: a
 * mechanism name a client made up is counted as 'other'.
 */
import type { LoginEvent } from '@portcullis/auth-core';
import { listenerEvents, openConnections, type RefusalReason } from '@portcullis/listener';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'portcullis_';

/** seconds; a login is a few ms without the failure delay, longer with a slow password scheme or Redis */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface GatewayMetrics {
  readonly registry: Registry;
  onLogin(event: LoginEvent): void;
  onCacheError(err: Error, operation: string): void;
  /** stop listening to the listener's events */
  close(): void;
}

export interface GatewayMetricsOptions {
  /** the mechanism names that may appear as label values (SASL names, CLRTXT, APOP) */
  mechanisms: readonly string[];
  /** process metrics (CPU, memory, event loop); default true */
  processMetrics?: boolean;
}

export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const known = new Set(options.mechanisms.map((m) => m.toUpperCase()));
  const mechanismLabel = (m: string): string => (known.has(m.toUpperCase()) ? m.toUpperCase() : 'other');

  const logins = new Counter({
    name: `${METRIC_PREFIX}logins_total`,
    help: 'Concluded logins by service, mechanism and result (success or the failure code)',
    labelNames: ['service', 'mechanism', 'result'] as const,
    registers: [registry],
  });
  const lockouts = new Counter({
    name: `${METRIC_PREFIX}lockouts_total`,
    help: 'Accounts temporarily locked after failedLoginLimit failed logins',
    labelNames: ['service'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}login_duration_seconds`,
    help: 'Time from the start of a login to its outcome, without the failure delay',
    labelNames: ['service', 'mechanism'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: `${METRIC_PREFIX}open_connections`,
    help: 'Client connections open now, by service',
    labelNames: ['service'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [service, count] of Object.entries(openConnections())) this.set({ service }, count);
    },
  });
  const refused = new Counter({
    name: `${METRIC_PREFIX}connections_refused_total`,
    help: 'Connections closed before the protocol saw them (Grant/Deny, PROXY problems)',
    labelNames: ['service', 'reason'] as const,
    registers: [registry],
  });
  const cacheErrors = new Counter({
    name: `${METRIC_PREFIX}cache_errors_total`,
    help: 'Errors of the shared session cache (Redis), by operation',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const onRefused = (e: { service: string; reason: RefusalReason }): void => refused.inc({ service: e.service, reason: e.reason });
  listenerEvents.on('refused', onRefused);

  return {
    registry,
    onLogin(event) {
      const mechanism = mechanismLabel(event.mechanism);
      logins.inc({ service: event.service, mechanism, result: event.result });
      latency.observe({ service: event.service, mechanism }, event.durationMs / 1000);
      if (event.locked) lockouts.inc({ service: event.service });
    },
    onCacheError(_err, operation) {
      cacheErrors.inc({ operation: /^[A-Za-z]{1,40}$/.test(operation) ? operation : 'other' });
    },
    close() {
      listenerEvents.off('refused', onRefused);
    },
  };
}
