import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { applyAssignments, parseAssignments } from '../settings/assignments.js';
import { redactDefaults } from '../settings/redact.js';
import type { CommandContext } from './context.js';

export async function serverSet(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('server set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('server', args, ctx.io.cwd);
  const current = await ctx.store.getServerSettings();
  await ctx.store.setServerSettings(applyAssignments(current, assignments));
  ctx.io.out('updated server settings\n');
}

export async function serverShow(ctx: CommandContext): Promise<void> {
  const settings = await ctx.store.getServerSettings();
  ctx.io.out(stringify({ server: redactDefaults(settings), mainDomain: ctx.config.mainDomain, dataDir: ctx.config.dataDir }));
}
