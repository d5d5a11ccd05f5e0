import type { SessionCache } from '@portcullis/auth-core';
import { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';

/**
 * The cache named by the `cache` config key. Async because the Redis implementation (a later
 * issue) connects before it answers; callers already await it.
 */
export async function createCache(url: string, options: MemoryCacheOptions = {}): Promise<SessionCache> {
  if (url === 'memory') return createMemoryCache(options);
  // the URL is not echoed: a Redis URL may carry a password
  throw new Error("redis cache arrives with a later version; set cache: memory");
}
