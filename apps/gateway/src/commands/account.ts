import { BUILTIN_ACCOUNT_DEFAULTS, type AccountRecord, type AccountSettings } from '@portcullis/auth-core';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { applyAssignments, parseAssignments, type Assignment } from '../settings/assignments.js';
import { SETTING_KEYS } from '../settings/setting-keys.js';
import { redactAccountSettings } from '../settings/redact.js';
import { password as passwordValue, ValueError } from '../settings/value-parsers.js';
import { forgetInMailboxAcls } from '@portcullis/directory';
import type { MailboxStore } from '@portcullis/auth-core';
import { asCliError, ConflictError, deleterOf, requireAccount, resolveAddress, withMailboxes, type CommandContext, type StoreContext } from './context.js';
import { effectiveEncryption, encodeSecretAssignments } from './passwords.js';
import { closeSessionsFromCli } from './sessions.js';

async function settingsWith(
  ctx: StoreContext,
  base: AccountSettings,
  assignments: Assignment[],
  domain: AccountRecord['domain'],
): Promise<AccountSettings> {
  const plain = assignments.filter((a) => !a.spec.secret);
  const secret = assignments.filter((a) => a.spec.secret);
  const settings = applyAssignments(base, plain);
  if (secret.length === 0) return settings;
  const [domainSettings, server] = await Promise.all([ctx.store.getDomain(domain), ctx.store.getServerSettings()]);
  const encryption = effectiveEncryption(settings, domainSettings ?? { name: domain }, server);
  return applyAssignments(settings, await encodeSecretAssignments(secret, encryption));
}

/** What `account show` prints and the admin API answers: never a password or a hash. */
export interface AccountView {
  account: string;
  settings: Record<string, unknown> | undefined;
  effective: Record<string, unknown> | undefined;
}

/** `--password P` as an assignment, checked like `password=P`. */
export function passwordAssignment(password: string, what: string): Assignment {
  try {
    return { key: 'password', spec: SETTING_KEYS.account.password!, value: passwordValue(password) };
  } catch (err) {
    if (err instanceof ValueError) throw new UsageError(`bad value for ${what}: ${err.message}`);
    throw err;
  }
}

/** Create an account (shared by `account create` and the admin API); store errors pass through. */
export async function createAccountWith(ctx: StoreContext, address: string, assignments: readonly Assignment[]): Promise<AccountRecord> {
  const { name, domain } = await resolveAddress(ctx, address);
  const settings = await settingsWith(ctx, {}, [...assignments], domain.name);
  const account: AccountRecord = { name, domain: domain.name, settings };
  await ctx.store.createAccount(account);
  return account;
}

/** Change an account's settings (passwords encoded as its passwordEncryption says). */
export async function updateAccountWith(ctx: StoreContext, address: string, assignments: readonly Assignment[]): Promise<AccountRecord> {
  const account = await requireAccount(ctx, address);
  const settings = await settingsWith(ctx, account.settings, [...assignments], account.domain);
  const next = { ...account, settings };
  await ctx.store.updateAccount(next);
  return next;
}

export async function accountView(ctx: StoreContext, address: string): Promise<AccountView> {
  const account = await requireAccount(ctx, address);
  const [domain, server] = await Promise.all([ctx.store.getDomain(account.domain), ctx.store.getServerSettings()]);
  const inherited: AccountSettings = {
    ...server.defaultAccountSettings,
    ...domain?.defaultAccountSettings,
  };
  delete inherited.password;
  delete inherited.tagPasswords;
  const effective: AccountSettings = { ...BUILTIN_ACCOUNT_DEFAULTS, ...inherited, ...account.settings };
  return {
    account: `${account.name}@${account.domain}`,
    settings: redactAccountSettings(account.settings),
    effective: redactAccountSettings(effective),
  };
}

export async function accountCreate(ctx: CommandContext, address: string, password: string | undefined, args: string[]): Promise<void> {
  const assignments = await parseAssignments('account', args, ctx.io.cwd);
  if (password !== undefined) {
    if (assignments.some((a) => a.key === 'password')) throw new UsageError('give the password once: --password or password=');
    assignments.push(passwordAssignment(password, '--password'));
  }
  let account: AccountRecord;
  try {
    account = await createAccountWith(ctx, address, assignments);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`created account ${account.name}@${account.domain}\n`);
}

export async function accountSet(ctx: CommandContext, address: string, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('account set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('account', args, ctx.io.cwd);
  let account: AccountRecord;
  try {
    account = await updateAccountWith(ctx, address, assignments);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`updated account ${account.name}@${account.domain}\n`);
}

/**
 * Delete an account with everything the directory keeps for it (shared by `account delete` and
 * the admin API); answers its address. The main domain's postmaster always stays: it is the
 * administrator of last resort (it holds Master implicitly).
 */
export async function deleteAccountWith(ctx: StoreContext & { mailboxes?: MailboxStore | undefined }, address: string): Promise<string> {
  const account = await requireAccount(ctx, address);
  const canonical = `${account.name}@${account.domain}`;
  if (account.name === 'postmaster' && account.domain === ctx.config.mainDomain) {
    throw new ConflictError(`${canonical} cannot be deleted: it is the main domain's postmaster`);
  }
  const deleter = deleterOf(ctx.store);
  const domain = await ctx.store.getDomain(account.domain);
  const domainNames = new Set([account.domain, ...(domain?.aliases ?? []).map((a) => a.toLowerCase())]);
  // other accounts' mailbox ACLs first: a deletion cut short can be run again
  await withMailboxes(ctx, (m) => forgetInMailboxAcls(m, { kind: 'account', name: account.name, domainNames }));
  await deleter.deleteAccount(account.domain, account.name);
  return canonical;
}

export async function accountDelete(ctx: CommandContext, address: string): Promise<void> {
  let deleted: string;
  try {
    deleted = await deleteAccountWith(ctx, address);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`deleted account ${deleted}${await closeSessionsFromCli(ctx, [deleted])}\n`);
}

export async function accountShow(ctx: CommandContext, address: string): Promise<void> {
  ctx.io.out(stringify(await accountView(ctx, address)));
}
