export { createMemoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { createCache } from './create-cache.js';
