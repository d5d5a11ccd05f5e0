/**
 * The CLI's share of "a deleted account's sessions end": with a Redis cache, which running
 * gateways share, the command closes them itself. With `cache: memory` the sessions live inside
 * the running gateway, out of the CLI's reach: they end at their expiry, and open nothing
 * meanwhile (the account is gone, so no login and no right goes with them).
 */
import { isRedisUrl } from '@portcullis/redis-client';
import { createRedisCache } from '@portcullis/session-cache';
import { closeSessionsOf } from '../admin/monitoring.js';
import type { StoreContext } from './context.js';

/** A note for the command's output: '' or ` (closed N sessions)`. */
export async function closeSessionsFromCli(ctx: StoreContext, addresses: readonly string[]): Promise<string> {
  if (addresses.length === 0 || !isRedisUrl(ctx.config.cache)) return '';
  const cache = await createRedisCache(ctx.config.cache);
  try {
    const closed = await closeSessionsOf({ cache }, addresses);
    return closed > 0 ? ` (closed ${closed} session${closed === 1 ? '' : 's'})` : '';
  } finally {
    await cache.close();
  }
}
