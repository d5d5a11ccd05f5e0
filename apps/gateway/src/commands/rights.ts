/** `portcullis rights grant|revoke|show ADDRESS [RIGHT ...]`: the spec's administrator access rights. */
import {
  AccessRightError,
  grantAccessRights,
  hasAccessRightsStore,
  heldRights,
  parseAccessRights,
  POSTMASTER,
  revokeAccessRights,
  type AccessRight,
  type AccessRightsStore,
} from '@portcullis/auth-core';
import { CommandError, UsageError } from '../errors.js';
import { asCliError, requireAccount, resolveAddress, type CommandContext } from './context.js';

function list(rights: readonly AccessRight[]): string {
  return rights.length === 0 ? '(none)' : rights.join(', ');
}

function parsed(names: readonly string[]): AccessRight[] {
  try {
    return parseAccessRights(names);
  } catch (err) {
    if (err instanceof AccessRightError) throw new UsageError(err.message);
    throw err;
  }
}

function rightsStore(ctx: CommandContext): AccessRightsStore {
  if (!hasAccessRightsStore(ctx.store)) throw new CommandError('this directory does not keep access rights');
  return ctx.store;
}

function isMainPostmaster(ctx: CommandContext, name: string, domain: string): boolean {
  return name === POSTMASTER && domain === ctx.config.mainDomain.toLowerCase();
}

export async function rightsGrant(ctx: CommandContext, address: string, names: string[]): Promise<void> {
  if (names.length === 0) throw new UsageError('rights grant needs at least one RIGHT');
  const rights = parsed(names);
  // rights go to real accounts only, under their canonical address (never an alias)
  const account = await requireAccount(ctx, address);
  try {
    const now = await grantAccessRights(rightsStore(ctx), ctx.config.mainDomain, account, rights);
    ctx.io.out(`${account.name}@${account.domain}: ${list(now)}\n`);
  } catch (err) {
    if (err instanceof AccessRightError) throw new UsageError(err.message);
    throw asCliError(err);
  }
}

export async function rightsRevoke(ctx: CommandContext, address: string, names: string[]): Promise<void> {
  const rights = parsed(names);
  const { name, domain } = await resolveAddress(ctx, address);
  try {
    const now = await revokeAccessRights(rightsStore(ctx), { name, domain: domain.name }, rights);
    const implicit = isMainPostmaster(ctx, name, domain.name) ? ' (Master stays: the main domain postmaster holds it implicitly)' : '';
    ctx.io.out(`${name}@${domain.name}: ${list(now)}${implicit}\n`);
  } catch (err) {
    throw asCliError(err);
  }
}

export async function rightsShow(ctx: CommandContext, address: string): Promise<void> {
  const { name, domain } = await resolveAddress(ctx, address);
  const held = await heldRights(ctx.store, { name, domain: domain.name }, ctx.config.mainDomain);
  const implicit = isMainPostmaster(ctx, name, domain.name) ? ' (Master implicit: the main domain postmaster)' : '';
  ctx.io.out(`${name}@${domain.name}: ${list(held)}${implicit}\n`);
}
