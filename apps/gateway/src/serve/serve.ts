import { createAuthenticator, createDefaultMechanisms, type SessionCache } from '@portcullis/auth-core';
import { openDirectoryStore } from '@portcullis/directory';
import { ensureTlsMaterial, startListener, type RunningListener, type TlsMaterial } from '@portcullis/listener';
import { createCache } from '@portcullis/session-cache';
import type { GatewayConfig } from '../config/load.js';
import { ensureMainDomain, type CliIo } from '../commands/context.js';
import { formatListenerTable } from './listener-table.js';
import { createLogger, type GatewayLogger } from './logger.js';
import { ensurePostmaster } from './postmaster.js';
import { checkServices, handlerFor } from './services.js';

/** how long open sessions get to finish when the server stops */
const SHUTDOWN_GRACE_MS = 5000;

export interface RunningGateway {
  listeners: RunningListener[];
  /** close the listeners (sessions end cleanly), then the store and cache */
  stop(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, io: CliIo, log: GatewayLogger): Promise<RunningGateway> {
  checkServices(config.listeners, config.source ?? 'embedded defaults');
  const { logger, flush } = log;
  const store = openDirectoryStore(config.directory, { dataDir: config.dataDir, logger });
  let cache: SessionCache | undefined;
  const listeners: RunningListener[] = [];
  try {
    cache = await createCache(config.cache);
    if (await ensureMainDomain(store, config.mainDomain)) logger.info({ domain: config.mainDomain }, 'created the main domain');
    for (const l of config.listeners) {
      if (l.domain && !(await store.resolveDomain(l.domain))) {
        logger.warn({ service: l.service, port: l.port, domain: l.domain }, 'listener domain does not exist (yet)');
      }
    }

    const postmasterPassword = await ensurePostmaster(store, config.mainDomain);
    if (postmasterPassword !== null) {
      logger.info({ account: `postmaster@${config.mainDomain}` }, 'created the postmaster account');
      // stdout only, once: the log stream must never carry it
      io.out(
        `postmaster@${config.mainDomain} password: ${postmasterPassword}\n` +
          '(shown once; change it with `portcullis account set postmaster password=...`)\n',
      );
    }

    const authenticator = createAuthenticator({
      directory: store,
      cache,
      mainDomain: config.mainDomain,
      mechanisms: createDefaultMechanisms(),
      logger,
    });
    const deps = { authenticator, serverName: config.hostname };

    let tls: TlsMaterial | undefined;
    if (config.listeners.some((l) => (l.tls ?? 'none') !== 'none')) {
      tls = await ensureTlsMaterial(config.tls, config.dataDir, config.hostname);
    }

    for (const l of config.listeners) {
      const serviceDeps = { ...deps, directory: store, mainDomain: config.mainDomain, dataDir: config.dataDir, ...(tls ? { tls } : {}), ...(config.ftp ? { ftp: config.ftp } : {}), ...(config.smtp ? { smtp: config.smtp } : {}) };
      const running = await startListener(l, { handler: handlerFor(l.service, serviceDeps, l), logger, ...(tls ? { tls } : {}) });
      listeners.push(running);
    }

    io.out(
      formatListenerTable(
        config.listeners.map((l, i) => ({
          service: l.service,
          address: listeners[i]!.address,
          port: listeners[i]!.port,
          tls: l.tls ?? 'none',
        })),
      ),
    );
    io.out('portcullis ready\n');
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.close(0)));
    await cache?.close();
    await store.close();
    flush();
    throw err;
  }

  return {
    listeners,
    async stop() {
      logger.info('stopping');
      await Promise.allSettled(listeners.map((l) => l.close(SHUTDOWN_GRACE_MS)));
      await cache?.close();
      await store.close();
      logger.info('stopped');
      flush();
    },
  };
}

/**
 * Run until SIGTERM or SIGINT, then stop cleanly; resolves with the exit code. An error thrown by
 * a session that escaped every handler is logged and the process keeps serving the others.
 */
export async function serve(config: GatewayConfig, io: CliIo): Promise<number> {
  const log = createLogger(config.logLevel);
  const { logger } = log;
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
  });
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, io, log);
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
