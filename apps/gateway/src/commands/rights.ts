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
import { asCliError, requireAccount, resolveAddress, type CommandContext, type StoreContext } from './context.js';

function list(rights: readonly AccessRight[]): string {
  return rights.length === 0 ? '(none)' : rights.join(', ');
}

export function parsed(names: readonly string[]): AccessRight[] {
  try {
    return parseAccessRights(names);
  } catch (err) {
    if (err instanceof AccessRightError) throw new UsageError(err.message);
    throw err;
  }
}

export function rightsStore(ctx: StoreContext): AccessRightsStore {
  if (!hasAccessRightsStore(ctx.store)) throw new CommandError('this directory does not keep access rights');
  return ctx.store;
}

function isMainPostmaster(ctx: StoreContext, name: string, domain: string): boolean {
  return name === POSTMASTER && domain === ctx.config.mainDomain.toLowerCase();
}

/** Grant rights to a real account (never an alias); shared by `rights grant` and the admin API. */
export async function grantRightsTo(ctx: StoreContext, address: string, rights: readonly AccessRight[]): Promise<{ address: string; rights: AccessRight[] }> {
  const account = await requireAccount(ctx, address);
  try {
    const now = await grantAccessRights(rightsStore(ctx), ctx.config.mainDomain, account, rights);
    return { address: `${account.name}@${account.domain}`, rights: now };
  } catch (err) {
    if (err instanceof AccessRightError) throw new UsageError(err.message);
    throw err;
  }
}

/** Revoke rights (none named: all of them). */
export async function revokeRightsFrom(ctx: StoreContext, address: string, rights: readonly AccessRight[]): Promise<{ address: string; rights: AccessRight[]; implicitMaster: boolean }> {
  const { name, domain } = await resolveAddress(ctx, address);
  const now = await revokeAccessRights(rightsStore(ctx), { name, domain: domain.name }, rights);
  return { address: `${name}@${domain.name}`, rights: now, implicitMaster: isMainPostmaster(ctx, name, domain.name) };
}

/** The rights an address holds, the main postmaster's implicit Master included. */
export async function rightsOf(ctx: StoreContext, address: string): Promise<{ address: string; rights: AccessRight[]; implicitMaster: boolean }> {
  const { name, domain } = await resolveAddress(ctx, address);
  const held = await heldRights(ctx.store, { name, domain: domain.name }, ctx.config.mainDomain);
  return { address: `${name}@${domain.name}`, rights: held, implicitMaster: isMainPostmaster(ctx, name, domain.name) };
}

export async function rightsGrant(ctx: CommandContext, address: string, names: string[]): Promise<void> {
  if (names.length === 0) throw new UsageError('rights grant needs at least one RIGHT');
  const rights = parsed(names);
  try {
    const now = await grantRightsTo(ctx, address, rights);
    ctx.io.out(`${now.address}: ${list(now.rights)}\n`);
  } catch (err) {
    throw asCliError(err);
  }
}

export async function rightsRevoke(ctx: CommandContext, address: string, names: string[]): Promise<void> {
  const rights = parsed(names);
  try {
    const now = await revokeRightsFrom(ctx, address, rights);
    const implicit = now.implicitMaster ? ' (Master stays: the main domain postmaster holds it implicitly)' : '';
    ctx.io.out(`${now.address}: ${list(now.rights)}${implicit}\n`);
  } catch (err) {
    throw asCliError(err);
  }
}

export async function rightsShow(ctx: CommandContext, address: string): Promise<void> {
  const now = await rightsOf(ctx, address);
  const implicit = now.implicitMaster ? ' (Master implicit: the main domain postmaster)' : '';
  ctx.io.out(`${now.address}: ${list(now.rights)}${implicit}\n`);
}
