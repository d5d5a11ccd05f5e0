import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { applyAssignments, parseAssignments } from '../settings/assignments.js';
import { redactDefaults } from '../settings/redact.js';
import { asCliError, ensureMainDomain, requireDomain, requireDomainName, type CommandContext } from './context.js';

export async function domainCreate(ctx: CommandContext, rawName: string, args: string[]): Promise<void> {
  const name = requireDomainName(rawName);
  const assignments = await parseAssignments('domain', args, ctx.io.cwd);
  // the main domain is created here with these settings, not implicitly first
  if (name !== ctx.config.mainDomain) await ensureMainDomain(ctx.store, ctx.config.mainDomain);
  try {
    await ctx.store.createDomain(applyAssignments({ name }, assignments));
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`created domain ${name}\n`);
}

export async function domainSet(ctx: CommandContext, rawName: string, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('domain set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('domain', args, ctx.io.cwd);
  const domain = await requireDomain(ctx.store, rawName);
  try {
    await ctx.store.updateDomain(applyAssignments(domain, assignments));
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`updated domain ${domain.name}\n`);
}

export async function domainShow(ctx: CommandContext, rawName: string): Promise<void> {
  const domain = await requireDomain(ctx.store, rawName);
  const { name, ...settings } = domain;
  const accounts = await ctx.store.listAccounts(name);
  ctx.io.out(
    stringify({
      domain: name,
      main: name === ctx.config.mainDomain,
      settings: redactDefaults(settings),
      accounts: accounts.length,
    }),
  );
}
