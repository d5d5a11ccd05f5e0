export {
  describeRedisUrl,
  isRedisUrl,
  redactRedisUrl,
  RedisUrlError,
  DEFAULT_REDIS_PORT,
  DEFAULT_SENTINEL_PORT,
  type RedisHost,
  type RedisUrlDescription,
  type StandaloneUrl,
  type SentinelUrl,
  type ClusterUrl,
} from './redis-url.js';
export {
  createRedisClient,
  waitForReady,
  closeRedisClient,
  reconnectDelay,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  MAX_RECONNECT_DELAY_MS,
  type RedisClient,
  type RedisClientLogger,
  type RedisClientOptions,
} from './create-client.js';
// re-exported so that users type their clients without a direct ioredis dependency
export { Redis, Cluster } from 'ioredis';
