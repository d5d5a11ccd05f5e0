import {
  hasDirectoryDeleter,
  type AccountRecord,
  type DirectoryDeleter,
  type DirectoryStore,
  type DomainSettings,
  type MailboxStore,
} from '@portcullis/auth-core';
import { canonicalAccount, canonicalDomain, DirectoryError, openDirectoryStore, openMailboxStore } from '@portcullis/directory';
import { loadConfig, type GatewayConfig } from '../config/load.js';
import { CommandError, UsageError } from '../errors.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

export interface CommandContext {
  config: GatewayConfig;
  store: DirectoryStore;
  io: CliIo;
}

/** What the operations shared by the CLI and the admin API need (no terminal). */
export type StoreContext = Pick<CommandContext, 'config' | 'store'>;

/** A named domain or account does not exist (the admin API answers 404). */
export class NotFoundError extends CommandError {}

/** The operation would break what must stay (the main domain, a domain with accounts): 409. */
export class ConflictError extends CommandError {}

/**
 * Run `body` with the mailbox store beside the directory: the caller's (the running gateway's),
 * else one opened for this call (the CLI) and closed after it.
 */
export async function withMailboxes<T>(ctx: StoreContext & { mailboxes?: MailboxStore | undefined }, body: (m: MailboxStore) => Promise<T>): Promise<T> {
  if (ctx.mailboxes) return body(ctx.mailboxes);
  const opened = openMailboxStore(ctx.config.directory, { dataDir: ctx.config.dataDir });
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
}

/** The store cannot delete (a directory store without the optional DirectoryDeleter capability). */
export function deleterOf(store: DirectoryStore): DirectoryStore & DirectoryDeleter {
  if (!hasDirectoryDeleter(store)) throw new CommandError('this directory store cannot delete accounts or domains');
  return store;
}

/** The main domain always exists: whoever opens the store first creates it. */
export async function ensureMainDomain(store: DirectoryStore, mainDomain: string): Promise<boolean> {
  if (await store.getDomain(mainDomain)) return false;
  try {
    await store.createDomain({ name: mainDomain });
    return true;
  } catch (err) {
    // another process created it a moment ago
    if (err instanceof DirectoryError && err.code === 'exists') return false;
    throw err;
  }
}

export async function openContext(configFile: string | undefined, io: CliIo): Promise<CommandContext> {
  const config = await loadConfig(configFile, io.cwd);
  const store = openDirectoryStore(config.directory, { dataDir: config.dataDir });
  return { config, store, io };
}

/** Store errors as CLI errors: bad names are usage errors, the rest are failures. */
export function asCliError(err: unknown): unknown {
  if (!(err instanceof DirectoryError)) return err;
  if (err.code === 'invalid-name' || err.code === 'conflict') return new UsageError(err.message);
  return new CommandError(err.message);
}

export function requireDomainName(name: string): string {
  const c = canonicalDomain(name);
  if (c === null) throw new UsageError(`'${name}' is not a valid domain name`);
  return c;
}

export async function requireDomain(store: DirectoryStore, name: string): Promise<DomainSettings> {
  const domain = await store.resolveDomain(requireDomainName(name));
  if (!domain) throw new NotFoundError(`domain ${name.toLowerCase()} does not exist`);
  return domain;
}

export interface AccountAddress {
  name: string;
  domain: DomainSettings;
}

/** `name` or `name@domain` (an alias works); the domain must exist. */
export async function resolveAddress(ctx: StoreContext, address: string): Promise<AccountAddress> {
  const at = address.lastIndexOf('@');
  const local = at >= 0 ? address.slice(0, at) : address;
  const domainPart = at >= 0 ? address.slice(at + 1) : ctx.config.mainDomain;
  const name = canonicalAccount(local);
  if (name === null) throw new UsageError(`'${local}' is not a valid account name`);
  return { name, domain: await requireDomain(ctx.store, domainPart) };
}

export async function requireAccount(ctx: StoreContext, address: string): Promise<AccountRecord> {
  const { name, domain } = await resolveAddress(ctx, address);
  const account = await ctx.store.getAccount(domain.name, name);
  if (!account) throw new NotFoundError(`account ${name}@${domain.name} does not exist`);
  return account;
}
