import type { ServerSettings } from '@portcullis/auth-core';
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { applyAssignments, parseAssignments, type Assignment } from '../settings/assignments.js';
import { redactDefaults } from '../settings/redact.js';
import type { CommandContext, StoreContext } from './context.js';

/** Change server-wide settings (shared by `server set` and the admin API). */
export async function updateServerWith(ctx: StoreContext, assignments: readonly Assignment[]): Promise<ServerSettings> {
  const current = await ctx.store.getServerSettings();
  const next = applyAssignments(current, assignments);
  await ctx.store.setServerSettings(next);
  return next;
}

/** Server settings as `server show` prints them: default account passwords redacted. */
export async function serverSettingsView(ctx: StoreContext): Promise<Record<string, unknown>> {
  return redactDefaults(await ctx.store.getServerSettings());
}

export async function serverSet(ctx: CommandContext, args: string[]): Promise<void> {
  if (args.length === 0) throw new UsageError('server set needs KEY=VALUE arguments');
  const assignments = await parseAssignments('server', args, ctx.io.cwd);
  await updateServerWith(ctx, assignments);
  ctx.io.out('updated server settings\n');
}

export async function serverShow(ctx: CommandContext): Promise<void> {
  ctx.io.out(stringify({ server: await serverSettingsView(ctx), mainDomain: ctx.config.mainDomain, dataDir: ctx.config.dataDir }));
}
