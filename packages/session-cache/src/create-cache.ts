import { isRedisUrl } from '@portcullis/redis-client';
import { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
import { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
import type { FullSessionCache } from './resilient-cache.js';

export type CreateCacheOptions = MemoryCacheOptions & RedisCacheOptions;

/**
 * The cache named by the `cache` config key: 'memory', or a Redis URL (redis://, rediss://,
 * redis+sentinel://, redis+cluster://, see @portcullis/redis-client). Async because the Redis
 * cache waits (up to its connect timeout) for the first connection.
 */
export async function createCache(url: string, options: CreateCacheOptions = {}): Promise<FullSessionCache> {
  if (url === 'memory') return createMemoryCache(options);
  if (isRedisUrl(url)) return createRedisCache(url, options);
  // the URL is not echoed: it may carry a password
  throw new Error("unknown cache: use 'memory' or a redis://, rediss://, redis+sentinel:// or redis+cluster:// URL");
}
