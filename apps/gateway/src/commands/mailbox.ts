/** `portcullis mailbox list OWNER@DOMAIN`: an account's mailboxes and who they are shared with. */
import { UsageError } from '../errors.js';
import { aclText, cli, listMailboxes } from './acl.js';
import type { CommandContext } from './context.js';

/** The `mailbox` command: `mailbox list OWNER@DOMAIN`. */
export async function runMailbox(ctx: CommandContext, verb: string | undefined, args: string[]): Promise<void> {
  if (verb !== 'list') throw new UsageError(`unknown command 'mailbox${verb ? ` ${verb}` : ''}' (mailbox list OWNER@DOMAIN)`);
  if (args.length === 0) throw new UsageError('missing OWNER@DOMAIN');
  if (args.length > 1) throw new UsageError(`unexpected argument '${args[1]}'`);
  const view = await cli(() => listMailboxes(ctx, args[0]!));
  for (const m of view.mailboxes) ctx.io.out(`${m.name}: ${aclText(m.acl)}\n`);
}
