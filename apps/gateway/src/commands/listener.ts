/**
 * `portcullis listener list|grant|deny|reset`: Grant/Deny overrides of the configured listeners,
 * kept in the server settings (admin/listener-access.ts; the admin API's PATCH
 * /api/v1/listeners/:name does the same). Running gateways apply them to new connections.
 */
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { changeListenerAccess, listenerAccessViews, type ListenerAccessChange } from '../admin/listener-access.js';
import { asCliError, type CommandContext } from './context.js';

export async function runListener(ctx: CommandContext, verb: string | undefined, args: string[]): Promise<void> {
  if (verb === 'list') {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`);
    ctx.io.out(stringify({ listeners: await listenerAccessViews(ctx) }));
    return;
  }
  const [name, ...ranges] = args;
  let change: ListenerAccessChange;
  switch (verb) {
    // no ranges: an empty list (grant: every address; deny: none), still overriding the file
    case 'grant':
      change = { grant: ranges };
      break;
    case 'deny':
      change = { deny: ranges };
      break;
    case 'reset':
      if (ranges.length > 0) throw new UsageError(`unexpected argument '${ranges[0]}'`);
      change = { grant: null, deny: null };
      break;
    default:
      throw new UsageError(`unknown command 'listener${verb ? ` ${verb}` : ''}'`);
  }
  if (name === undefined) throw new UsageError('missing listener NAME (service:port, see `portcullis listener list`)');
  let view;
  try {
    view = await changeListenerAccess(ctx, name, change);
  } catch (err) {
    throw asCliError(err);
  }
  ctx.io.out(`listener ${view.name}: grant [${view.grant.join(', ')}] deny [${view.deny.join(', ')}]\n`);
}
