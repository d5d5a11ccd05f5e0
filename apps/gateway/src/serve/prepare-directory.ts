/**
 * What one process does to the directory before serving: the main domain and the postmaster
 * account exist, listener domains are checked. With workers, only the primary does it, so the
 * generated password is printed once.
 */
import type { DirectoryStore } from '@portcullis/auth-core';
import { openDirectoryStore } from '@portcullis/directory';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import { ensureMainDomain, type CliIo } from '../commands/context.js';
import { ensurePostmaster } from './postmaster.js';

export async function prepareStore(store: DirectoryStore, config: GatewayConfig, io: CliIo, logger: Logger): Promise<void> {
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
}

/** prepareStore on a store of its own, closed afterwards (the primary serves no logins) */
export async function prepareDirectory(config: GatewayConfig, io: CliIo, logger: Logger): Promise<void> {
  const store = openDirectoryStore(config.directory, { dataDir: config.dataDir, logger });
  try {
    await prepareStore(store, config, io, logger);
  } finally {
    await store.close();
  }
}
