/**
 * `portcullis export DIR` and `portcullis import DIR`: the whole directory (server settings,
 * domains, accounts, rights, groups, and each account's mailboxes with their ACLs) to and from
 * the file store's layout, whichever store the config names.
 * Passwords travel in their stored form; nothing here prints one.
 */
import { resolve } from 'node:path';
import { exportDirectory, importDirectory, isRedisDirectory } from '@portcullis/directory';
import { UsageError } from '../errors.js';
import { asCliError, ensureMainDomain, openContext, withMailboxes, type CliIo, type CommandContext } from './context.js';

export type TransferCommand = 'export' | 'import';

function targetDir(ctx: CommandContext, dirArg: string): string {
  const dir = resolve(ctx.io.cwd, dirArg);
  if (!isRedisDirectory(ctx.config.directory) && dir === resolve(ctx.config.dataDir)) {
    throw new UsageError(`${dir} is the data directory of this config; name another folder`);
  }
  return dir;
}

function mailboxNote(documents: number | undefined): string {
  return documents ? `, with the mailboxes and ACLs of ${documents} account(s)` : '';
}

async function exportCommand(ctx: CommandContext, dirArg: string): Promise<void> {
  const dir = targetDir(ctx, dirArg);
  const r = await withMailboxes(ctx, (mailboxes) => exportDirectory(ctx.store, dir, { mailboxes }));
  ctx.io.out(`exported ${r.domains} domain(s) and ${r.accounts} account(s) to ${dir}${mailboxNote(r.mailboxes)}\n`);
}

async function importCommand(ctx: CommandContext, dirArg: string): Promise<void> {
  const dir = targetDir(ctx, dirArg);
  const r = await withMailboxes(ctx, (mailboxes) => importDirectory(dir, ctx.store, { mailboxes }));
  // the main domain always exists, whatever the export held
  await ensureMainDomain(ctx.store, ctx.config.mainDomain);
  ctx.io.out(`imported ${r.domains} domain(s) and ${r.accounts} account(s) from ${dir}${mailboxNote(r.mailboxes)}\n`);
}

/** Run `export DIR` or `import DIR` (args after the command word). */
export async function runTransfer(command: TransferCommand, args: string[], configFile: string | undefined, io: CliIo): Promise<void> {
  if (args.length === 0) throw new UsageError('missing DIR');
  if (args.length > 1) throw new UsageError(`unexpected argument '${args[1]!.split('=')[0]}'`);
  const ctx = await openContext(configFile, io);
  try {
    await (command === 'export' ? exportCommand(ctx, args[0]!) : importCommand(ctx, args[0]!));
  } catch (err) {
    throw asCliError(err);
  } finally {
    await ctx.store.close();
  }
}
