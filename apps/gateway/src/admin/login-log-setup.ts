/** Which login log this process keeps (see login-log.ts), and its Grant/Deny feed. */
import { listenerEvents, type RefusalReason } from '@portcullis/listener';
import { createRedisClient } from '@portcullis/redis-client';
import { DEFAULT_KEY_PREFIX } from '@portcullis/session-cache';
import type { GatewayConfig } from '../config/load.js';
import { workerLoginLog } from './login-log-ipc.js';
import { LOGIN_LOG_SIZE, MemoryLoginLog, RedisLoginLog, refusedConnectionEntry, type LoginLog } from './login-log.js';

interface Logger {
  warn(obj: object, msg?: string): void;
}

/** Redis key of the shared list (next to the session cache's keys). */
export const LOGIN_LOG_KEY = `${DEFAULT_KEY_PREFIX}loginlog`;

export function createLoginLog(config: Pick<GatewayConfig, 'cache'>, options: { worker?: boolean | undefined; logger?: Logger }): LoginLog {
  let log: LoginLog;
  if (config.cache !== 'memory') {
    const client = createRedisClient(config.cache, { name: 'portcullis-loginlog' });
    // errors are answered by the log's fallback; ioredis must not also throw them as events
    client.on('error', () => undefined);
    log = new RedisLoginLog(client, LOGIN_LOG_KEY, LOGIN_LOG_SIZE, options.logger);
  } else {
    log = options.worker ? workerLoginLog() : new MemoryLoginLog(LOGIN_LOG_SIZE);
  }
  // connections the listeners closed before any login are part of the story too
  const onRefused = (e: { service: string; remoteAddress: string; reason: RefusalReason }): void => log.record(refusedConnectionEntry(e));
  listenerEvents.on('refused', onRefused);
  return {
    record: (entry) => log.record(entry),
    recent: (query) => log.recent(query),
    async close() {
      listenerEvents.off('refused', onRefused);
      await log.close();
    },
  };
}
