/**
 * `workers: N` (N > 1): the primary process. It prepares the directory (main domain, postmaster
 * password printed once), forks N workers that share the listening ports through node:cluster,
 * prints the listener table and `portcullis ready` once every worker listens, serves the memory
 * cache to the workers (so lockout stays exact), aggregates their metrics, restarts a worker
 * that crashed, and on SIGTERM/SIGINT stops the workers and exits.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { createMemoryCache, serveCacheToWorkers } from '@portcullis/session-cache';
import type { GatewayConfig } from '../config/load.js';
import type { CliIo } from '../commands/context.js';
import { isMetricsRequest, isWorkerReady, METRICS_RESPONSE, type MetricsResponse } from './cluster-messages.js';
import { formatListenerTable, type ListenerRow } from './listener-table.js';
import type { GatewayLogger } from './logger.js';
import { prepareDirectory } from './prepare-directory.js';
import { serveLoginLogToWorkers } from '../admin/login-log-ipc.js';

/** how long stopping workers get before SIGKILL */
const WORKER_STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** a worker that ran this long before crashing resets the back-off */
const STABLE_RUN_MS = 60_000;

export async function runPrimary(config: GatewayConfig, io: CliIo, log: GatewayLogger, count: number): Promise<number> {
  const { logger, flush } = log;
  let stopping = false;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });

  await prepareDirectory(config, io, logger);

  // the memory cache lives here, one for all workers; a Redis cache is shared by the workers directly
  const cache = config.cache === 'memory' ? createMemoryCache() : undefined;
  const stopServingCache = cache ? serveCacheToWorkers(cache, cluster) : undefined;
  // the workers' login log too (with Redis they share a Redis list instead)
  const stopServingLoginLog = cache ? serveLoginLogToWorkers(cluster) : undefined;
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMetricsRequest(message)) return;
    void aggregator.clusterMetrics().then(
      (text): MetricsResponse => ({ type: METRICS_RESPONSE, id: message.id, ok: true, text }),
      (err: unknown): MetricsResponse => ({ type: METRICS_RESPONSE, id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    ).then((response) => {
      if (worker.isConnected()) worker.send(response, undefined, () => undefined);
    });
  };
  cluster.on('message', onMessage);

  const startedAt = new Map<Worker, number>();
  let restartDelay = RESTART_DELAY_MS;
  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    return worker;
  };
  const cleanup = async (): Promise<void> => {
    cluster.off('message', onMessage);
    stopServingCache?.();
    stopServingLoginLog?.();
    await cache?.close();
  };

  // start: every worker must report its listeners up; one that dies first fails the start
  let rows: ListenerRow[] = [];
  try {
    const workers = Array.from({ length: count }, fork);
    await new Promise<void>((resolve, reject) => {
      let ready = 0;
      const onReady = (worker: Worker, message: unknown): void => {
        if (!isWorkerReady(message) || !workers.includes(worker)) return;
        rows = message.listeners;
        if (++ready === workers.length) done(null);
      };
      const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
        if (workers.includes(worker)) done(new Error(`worker ${worker.process.pid} exited during start-up (${signal ?? `code ${code}`})`));
      };
      const onSignal = (): void => done(new Error('stopped during start-up'));
      void stopSignal.then(onSignal);
      let settled = false;
      const done = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        cluster.off('message', onReady);
        cluster.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      cluster.on('message', onReady);
      cluster.on('exit', onExit);
    });
  } catch (err) {
    stopping = true;
    await stopWorkers(logger);
    await cleanup();
    flush();
    throw err;
  }

  cluster.on('exit', (worker, code, signal) => {
    const ranMs = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) return;
    if (code === 0 && signal === null) {
      logger.warn({ worker: worker.process.pid }, 'worker exited; not restarting it');
      return;
    }
    restartDelay = ranMs > STABLE_RUN_MS ? RESTART_DELAY_MS : Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
    logger.error({ worker: worker.process.pid, code, signal, restartInMs: restartDelay }, 'worker died; restarting it');
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  });

  io.out(formatListenerTable(rows));
  io.out(`portcullis ready\n`);
  logger.info({ workers: count }, 'all workers listening');

  const signal = await stopSignal;
  stopping = true;
  logger.info({ signal }, 'signal received; stopping the workers');
  const force = (): never => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await stopWorkers(logger);
  await cleanup();
  logger.info('stopped');
  flush();
  return 0;
}

/** SIGTERM every worker (each stops its sessions cleanly), SIGKILL what is left after the timeout. */
async function stopWorkers(logger: GatewayLogger['logger']): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            logger.warn({ worker: worker.process.pid }, 'worker did not stop in time; killing it');
            worker.process.kill('SIGKILL');
          }, WORKER_STOP_TIMEOUT_MS);
          worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          worker.process.kill('SIGTERM');
        }),
    ),
  );
}
