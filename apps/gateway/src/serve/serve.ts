import cluster from 'node:cluster';
import os from 'node:os';
import { createAuthenticator, createDefaultMechanisms, impersonationByRights } from '@portcullis/auth-core';
import { isRedisDirectory, openDirectoryStore, openMailboxStore } from '@portcullis/directory';
import type { ExternalAuthService } from '@portcullis/ext-auth';
import { withGssapiMechanism, withSpnegoMechanism } from '@portcullis/kerberos';
import { ensureTlsMaterial, startListener, type RunningListener, type TlsMaterial } from '@portcullis/listener';
import { createCache, createWorkerCache, type ManagedSessionCache } from '@portcullis/session-cache';
import type { GatewayConfig } from '../config/load.js';
import type { CliIo } from '../commands/context.js';
import { createHttpSide, ReadinessState, type HttpSide } from './http-side.js';
import { formatListenerTable, type ListenerRow } from './listener-table.js';
import { createLogger, type GatewayLogger } from './logger.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { passwordSources, startExternalAuth } from './password-sources.js';
import { withExternalProvisioning } from './external-provisioning.js';
import { prepareStore } from './prepare-directory.js';
import { runPrimary } from './primary.js';
import { checkServices, handlerFor } from './services.js';
import { createRelayHook, relayTimingFromConfig } from './relay.js';
import { announceReady, clusterMetricsSource } from './worker-side.js';
import { webSessionRoutes } from '../web/index.js';
import { webadminRoute } from './webadmin-route.js';
import { adminRoutes } from '../admin/routes.js';
import { createLoginLog } from '../admin/login-log-setup.js';
import { loginLogEntry, type LoginLog } from '../admin/login-log.js';
import { listenerName } from '../admin/listener-access.js';
import { listenerAccessSource } from './listener-access-source.js';

/** how long open sessions get to finish when the server stops */
const SHUTDOWN_GRACE_MS = 5000;

export interface RunningGateway {
  listeners: RunningListener[];
  /** close the listeners (sessions end cleanly), then the store and cache */
  stop(): Promise<void>;
}

/** The number of processes `workers` asks for (auto: one per core). */
export function workerCount(workers: GatewayConfig['workers']): number {
  return workers === 'auto' ? os.availableParallelism() : workers;
}

export interface StartOptions {
  /** a node:cluster worker: the primary prepared the directory and prints the table */
  worker?: boolean;
}

export async function startGateway(config: GatewayConfig, io: CliIo, log: GatewayLogger, options: StartOptions = {}): Promise<RunningGateway> {
  checkServices(
    config.listeners.filter((l) => l.service !== 'http'),
    config.source ?? 'embedded defaults',
  );
  const { logger, flush } = log;
  const store = openDirectoryStore(config.directory, { dataDir: config.dataDir, logger });
  // the built-in IMAP session's mailboxes and ACLs, beside the directory (its folder or its Redis)
  const mailboxes = openMailboxStore(config.directory, { dataDir: config.dataDir, logger });
  let cache: ManagedSessionCache | undefined;
  let metrics: GatewayMetrics | undefined;
  let http: HttpSide | undefined;
  let externalAuth: ExternalAuthService | undefined;
  let loginLog: LoginLog | undefined;
  const listeners: RunningListener[] = [];
  try {
    // GSSAPI lives in packages/kerberos (native MIT GSS-API), so auth-core stays free of native code
    // GSS-SPNEGO (hidden) is HTTP Negotiate on the http listener, with the same per-domain keys
    const mechanisms = withSpnegoMechanism(withGssapiMechanism(createDefaultMechanisms(), { directory: store, logger }), { directory: store, logger });
    const gatewayMetrics = createGatewayMetrics({ mechanisms: [...mechanisms.all().map((m) => m.name), 'CLRTXT', 'APOP'] });
    metrics = gatewayMetrics;
    // with workers the memory cache lives in the primary, so that lockout counts stay exact
    cache =
      options.worker && config.cache === 'memory'
        ? createWorkerCache()
        : await createCache(config.cache, { logger, onError: (err, operation) => gatewayMetrics.onCacheError(err, operation) });
    const activeCache = cache;
    const readiness = new ReadinessState(() => activeCache.status());
    if (!options.worker) await prepareStore(store, config, io, logger);

    const activeLoginLog = createLoginLog(config, { worker: options.worker, logger });
    loginLog = activeLoginLog;
    const helper = startExternalAuth(logger, store);
    externalAuth = helper;
    const authenticator = createAuthenticator({
      directory: withExternalProvisioning(store, helper),
      cache,
      mainDomain: config.mainDomain,
      mechanisms,
      logger,
      onLogin: (event) => {
        gatewayMetrics.onLogin(event);
        activeLoginLog.record(loginLogEntry(event));
      },
      // PLAIN/GSSAPI/EXTERNAL with another account's authzid: the CanImpersonate right decides
      canImpersonate: impersonationByRights(store, config.mainDomain),
      passwordCheckers: passwordSources({ logger, externalAuth: helper }),
    });
    const deps = {
      authenticator,
      serverName: config.hostname,
      // sessions of accounts with upstream settings continue on their upstream server
      relay: createRelayHook({ directory: store, logger, registry: gatewayMetrics.registry, ...relayTimingFromConfig(config.relay) }),
    };

    let tls: TlsMaterial | undefined;
    if (config.listeners.some((l) => (l.tls ?? 'none') !== 'none')) {
      tls = await ensureTlsMaterial(config.tls, config.dataDir, config.hostname);
    }

    const registry = gatewayMetrics.registry;
    const httpSide = createHttpSide({
      logger,
      health: readiness,
      metrics: options.worker ? clusterMetricsSource(registry) : { contentType: registry.contentType, metrics: () => registry.metrics() },
      ...(tls ? { tls } : {}),
      // WebUser sessions (POST/GET/DELETE /session, GET /login); resolveCaller needs them first
      extraRoutes: [
        webSessionRoutes({ authenticator, directory: store, cache: activeCache, serverName: config.hostname }),
        adminRoutes({ config, store, cache: activeCache, loginLog: activeLoginLog, mailboxes }),
        // the web admin's static files at /admin/ (it talks only to the routes above)
        webadminRoute(),
      ],
    });
    http = httpSide;
    // Grant/Deny overrides from the server settings (PATCH /api/v1/listeners/:name), per connection
    const accessFor = listenerAccessSource(store, isRedisDirectory(config.directory) ? 1000 : 0);
    for (const l of config.listeners) {
      const serviceDeps = { ...deps, directory: store, mailboxes, mainDomain: config.mainDomain, dataDir: config.dataDir, ...(tls ? { tls } : {}), ...(config.ftp ? { ftp: config.ftp } : {}), ...(config.smtp ? { smtp: config.smtp } : {}) };
      if (l.service === 'http') {
        listeners.push(await httpSide.start(l));
        continue;
      }
      const running = await startListener(l, { handler: handlerFor(l.service, serviceDeps, l), logger, access: accessFor(listenerName(l)), ...(tls ? { tls } : {}) });
      listeners.push(running);
    }

    readiness.serving();

    const rows: ListenerRow[] = config.listeners.map((l, i) => ({
      service: l.service,
      address: listeners[i]!.address,
      port: listeners[i]!.port,
      tls: l.tls ?? 'none',
    }));
    if (options.worker) {
      announceReady(rows);
    } else {
      io.out(formatListenerTable(rows));
      io.out('portcullis ready\n');
    }

    return {
      listeners,
      async stop() {
        logger.info('stopping');
        readiness.stopping();
        await Promise.allSettled(listeners.map((l) => l.close(SHUTDOWN_GRACE_MS)));
        await httpSide.close();
        gatewayMetrics.close();
        helper.close();
        await activeLoginLog.close();
        await activeCache.close();
        await store.close();
        await mailboxes.close();
        logger.info('stopped');
        flush();
      },
    };
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.close(0)));
    await http?.close();
    metrics?.close();
    externalAuth?.close();
    await loginLog?.close();
    await cache?.close();
    await store.close();
    await mailboxes.close();
    flush();
    throw err;
  }
}

/**
 * Run until SIGTERM or SIGINT, then stop cleanly; resolves with the exit code. An error thrown by
 * a session that escaped every handler is logged and the process keeps serving the others.
 */
export async function serve(config: GatewayConfig, io: CliIo): Promise<number> {
  const log = createLogger(config.logLevel);
  const { logger } = log;
  const count = workerCount(config.workers);
  if (cluster.isPrimary && count > 1) return runPrimary(config, io, log, count);
  const worker = cluster.isWorker;
  const onUncaught = (err: unknown) => logger.error({ err }, 'uncaught error; still running');
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const detach = () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  };

  // listen from the start, so a signal during start-up still ends in a clean stop
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    // a worker whose primary is gone stops too, rather than serve on unsupervised
    if (worker) process.once('disconnect', () => resolve('SIGTERM'));
  });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, io, log, { worker });
  } catch (err) {
    detach();
    throw err;
  }

  const signal = await stopSignal;
  logger.info({ signal }, 'signal received');
  // a second signal while stopping means "now"
  const force = () => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await gateway.stop();
  detach();
  return 0;
}
