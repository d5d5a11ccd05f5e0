import type { DomainSettings, MailboxStore } from '@portcullis/auth-core';
import { forgetInMailboxAcls } from '@portcullis/directory';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { closeSessionsFromCli } from './sessions.js';
import { applyAssignments, parseAssignments, type Assignment } from '../settings/assignments.js';
import { redactDefaults } from '../settings/redact.js';
import {
  asCliError,
  ConflictError,
  deleterOf,
  ensureMainDomain,
  requireDomain,
  withMailboxes,
  requireDomainName,
  type CommandContext,
  type StoreContext,
} from './context.js';

/** What `domain show` prints and the admin API answers: never a secret. */
export interface DomainView {
  domain: string;
  main: boolean;
  settings: Record<string, unknown>;
  accounts: number;
}

/** Create a domain with settings (shared by `domain create` and the admin API); store errors pass through. */
export async function createDomainWith(ctx: StoreContext, rawName: string, assignments: readonly Assignment[]): Promise<string> {
  const name = requireDomainName(rawName);
  // the main domain is created here with these settings, not implicitly first
  if (name !== ctx.config.mainDomain) await ensureMainDomain(ctx.store, ctx.config.mainDomain);
  await ctx.store.createDomain(applyAssignments({ name }, assignments));
  return name;
}

/** Change a domain's settings; answers the stored domain. */
export async function updateDomainWith(ctx: StoreContext, rawName: string, assignments: readonly Assignment[]): Promise<DomainSettings> {
  const domain = await requireDomain(ctx.store, rawName);
  const next = applyAssignments(domain, assignments);
  await ctx.store.updateDomain(next);
  return next;
}

export async function domainView(ctx: StoreContext, rawName: string): Promise<DomainView> {
  const domain = await requireDomain(ctx.store, rawName);
  const { name, ...settings } = domain;
  const accounts = await ctx.store.listAccounts(name);
  return { domain: name, main: name === ctx.config.mainDomain, settings: redactDefaults(settings), accounts: accounts.length };
}

export async function domainCreate(ctx: CommandContext, rawName: string, args: string[]): Promise<void> {
  requireDomainName(rawName);
  const assignments = await parseAssignments('domain', args, ctx.io.cwd);
  let name: string;
  try {
    name = await createDomainWith(ctx, rawName, assignments);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`created domain ${name}\n`);
}

export async function domainSet(ctx: CommandContext, rawName: string, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('domain set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('domain', args, ctx.io.cwd);
  let domain: DomainSettings;
  try {
    domain = await updateDomainWith(ctx, rawName, assignments);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`updated domain ${domain.name}\n`);
}

/**
 * Delete a domain (shared by `domain delete` and the admin API); answers its canonical name. A
 * domain with accounts goes only with `force` (and its accounts with it); the main domain never.
 */
export async function deleteDomainWith(ctx: StoreContext & { mailboxes?: MailboxStore | undefined }, rawName: string, force: boolean): Promise<string> {
  const domain = await requireDomain(ctx.store, rawName);
  if (domain.name === ctx.config.mainDomain) throw new ConflictError(`the main domain ${domain.name} cannot be deleted`);
  if (!force) {
    const accounts = await ctx.store.listAccounts(domain.name);
    if (accounts.length > 0) {
      throw new ConflictError(`domain ${domain.name} has ${accounts.length} account${accounts.length === 1 ? '' : 's'}: delete them first, or force`);
    }
  }
  const deleter = deleterOf(ctx.store);
  const domainNames = new Set([domain.name, ...(domain.aliases ?? []).map((a) => a.toLowerCase())]);
  // other domains' mailbox ACLs first: a deletion cut short can be run again
  await withMailboxes(ctx, (m) => forgetInMailboxAcls(m, { kind: 'domain', domainNames }));
  await deleter.deleteDomain(domain.name);
  return domain.name;
}

export async function domainDelete(ctx: CommandContext, rawName: string, force: boolean): Promise<void> {
  let name: string;
  let accounts: string[] = [];
  try {
    const domain = await ctx.store.resolveDomain(rawName);
    if (domain) accounts = (await ctx.store.listAccounts(domain.name)).map((a) => `${a}@${domain.name}`);
    name = await deleteDomainWith(ctx, rawName, force);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`deleted domain ${name}${await closeSessionsFromCli(ctx, accounts)}\n`);
}

export async function domainShow(ctx: CommandContext, rawName: string): Promise<void> {
  ctx.io.out(stringify(await domainView(ctx, rawName)));
}
