import { BUILTIN_ACCOUNT_DEFAULTS, type AccountRecord, type AccountSettings } from '@portcullis/auth-core';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { applyAssignments, parseAssignments, type Assignment } from '../settings/assignments.js';
import { SETTING_KEYS } from '../settings/setting-keys.js';
import { redactAccountSettings } from '../settings/redact.js';
import { password as passwordValue, ValueError } from '../settings/value-parsers.js';
import { asCliError, requireAccount, resolveAddress, type CommandContext } from './context.js';
import { effectiveEncryption, encodeSecretAssignments } from './passwords.js';

async function settingsWith(
  ctx: CommandContext,
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

export async function accountCreate(ctx: CommandContext, address: string, password: string | undefined, args: string[]): Promise<void> {
  const assignments = await parseAssignments('account', args, ctx.io.cwd);
  if (password !== undefined) {
    if (assignments.some((a) => a.key === 'password')) throw new UsageError('give the password once: --password or password=');
    try {
      assignments.push({ key: 'password', spec: SETTING_KEYS.account.password!, value: passwordValue(password) });
    } catch (err) {
      if (err instanceof ValueError) throw new UsageError(`bad value for --password: ${err.message}`);
      throw err;
    }
  }
  const { name, domain } = await resolveAddress(ctx, address);
  const settings = await settingsWith(ctx, {}, assignments, domain.name);
  try {
    await ctx.store.createAccount({ name, domain: domain.name, settings });
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`created account ${name}@${domain.name}\n`);
}

export async function accountSet(ctx: CommandContext, address: string, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('account set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('account', args, ctx.io.cwd);
  const account = await requireAccount(ctx, address);
  const settings = await settingsWith(ctx, account.settings, assignments, account.domain);
  try {
    await ctx.store.updateAccount({ ...account, settings });
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`updated account ${account.name}@${account.domain}\n`);
}

export async function accountShow(ctx: CommandContext, address: string): Promise<void> {
  const account = await requireAccount(ctx, address);
  const [domain, server] = await Promise.all([ctx.store.getDomain(account.domain), ctx.store.getServerSettings()]);
  const inherited: AccountSettings = {
    ...server.defaultAccountSettings,
    ...domain?.defaultAccountSettings,
  };
  delete inherited.password;
  delete inherited.tagPasswords;
  const effective: AccountSettings = { ...BUILTIN_ACCOUNT_DEFAULTS, ...inherited, ...account.settings };
  ctx.io.out(
    stringify({
      account: `${account.name}@${account.domain}`,
      settings: redactAccountSettings(account.settings),
      effective: redactAccountSettings(effective),
    }),
  );
}
