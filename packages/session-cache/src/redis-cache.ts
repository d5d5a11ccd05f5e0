import type { SessionCache } from '@portcullis/auth-core';
import {
  closeRedisClient,
  createRedisClient,
  waitForReady,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type RedisClient,
} from '@portcullis/redis-client';
import { createMemoryCache } from './memory-cache.js';
import { RedisStore } from './redis-store.js';
import { ResilientCache, type ResilientCacheOptions } from './resilient-cache.js';

export interface RedisCacheOptions extends Omit<ResilientCacheOptions, 'onClose'> {
  /** key prefix; default 'portcullis:' */
  prefix?: string;
  /** per-command timeout (a URL only); default 500 ms */
  commandTimeoutMs?: number;
  /** connect timeout (a URL only), also how long start-up waits for Redis; default 2000 ms */
  connectTimeoutMs?: number;
  /** CLIENT SETNAME (a URL only); default 'portcullis-cache' */
  name?: string;
  /** the fallback's cap per kind of entry (see createMemoryCache) */
  maxEntries?: number;
}

/**
 * The Redis-backed cache with its in-memory fallback (see ResilientCache). Given a URL it owns
 * the client and closes it on close(); a client passed in is left open for its owner.
 * Resolves once Redis is ready or, when it is not reachable within the connect timeout, in
 * degraded mode (it keeps reconnecting in the background).
 */
export async function createRedisCache(urlOrClient: string | RedisClient, options: RedisCacheOptions = {}): Promise<ResilientCache> {
  const owned = typeof urlOrClient === 'string';
  const client = owned
    ? createRedisClient(urlOrClient, {
        name: options.name ?? 'portcullis-cache',
        ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      })
    : urlOrClient;
  const store = new RedisStore(client, options.prefix);
  const local: SessionCache = createMemoryCache({
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const cache = new ResilientCache(
    store,
    local,
    {
      isConnected: () => client.status === 'ready',
      onReconnected: (listener) => client.on('ready', listener),
      // 'close' only after having been ready, not on each failed reconnect attempt
      onDisconnected: (listener) => client.on('close', listener),
      ping: () => client.ping(),
    },
    {
      ...options,
      ...(owned ? { onClose: () => closeRedisClient(client) } : {}),
    },
  );
  const ready = await waitForReady(client, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  if (!ready) cache.markDown('not reachable at start-up');
  return cache;
}
