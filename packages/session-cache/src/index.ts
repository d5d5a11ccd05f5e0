export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { createCache, type CreateCacheOptions } from './create-cache.js';
export { createRedisCache, type RedisCacheOptions } from './redis-cache.js';
export {
  ResilientCache,
  type CacheLogger,
  type CacheStatus,
  type ConnectionHealth,
  type FullSessionCache,
  type ManagedSessionCache,
  type ResilientCacheOptions,
  type SharedStore,
} from './resilient-cache.js';
export { CacheUnavailableError } from './errors.js';
export { DEFAULT_KEY_PREFIX, keyLayout, type KeyLayout } from './keys.js';
export { serveCacheToWorkers, type IpcPeer, type WorkerHub } from './serve-workers.js';
export { createWorkerCache, type WorkerCacheOptions, type WorkerChannel } from './worker-cache.js';
