/**
 * A worker's end of the cluster: it tells the primary when its listeners are up, and renders
 * /metrics by asking the primary for the sum over all workers.
 *
 * Why aggregate rather than let each worker answer with a `worker` label: the workers share the
 * http port, so a scrape lands on whichever worker accepts it. Per-worker answers would show a
 * different worker's counters on each scrape (counters seeming to jump and reset, series going
 * stale). prom-client's AggregatorRegistry in the primary collects every worker's registry and
 * sums them, so any worker answers for the whole instance.
 */
import type { MetricsSource } from '@portcullis/http';
import { Registry, AggregatorRegistry } from 'prom-client';
import { isMetricsResponse, METRICS_REQUEST, WORKER_READY, type MetricsRequest, type WorkerReady } from './cluster-messages.js';
import type { ListenerRow } from './listener-table.js';

/** the primary waits up to 5 s for every worker (prom-client's own limit) */
const METRICS_TIMEOUT_MS = 7000;

export function announceReady(listeners: ListenerRow[]): void {
  const message: WorkerReady = { type: WORKER_READY, listeners };
  process.send?.(message);
}

/** Make `registry` the one this worker reports to the primary's AggregatorRegistry. */
export function clusterMetricsSource(registry: Registry): MetricsSource {
  AggregatorRegistry.setRegistries([registry]);
  // constructing one is what makes prom-client answer the primary's requests in a worker
  new AggregatorRegistry();
  let nextId = 1;
  return {
    contentType: registry.contentType,
    metrics() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          process.off('message', onMessage);
        };
        const onMessage = (message: unknown): void => {
          if (!isMetricsResponse(message) || message.id !== id) return;
          cleanup();
          if (message.ok) resolve(message.text);
          else reject(new Error(message.error));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error('the primary did not send the metrics in time'));
        }, METRICS_TIMEOUT_MS);
        if (!process.send) {
          cleanup();
          reject(new Error('no primary process to ask'));
          return;
        }
        process.on('message', onMessage);
        const request: MetricsRequest = { type: METRICS_REQUEST, id };
        process.send(request);
      });
    },
  };
}
