/**
 * The connection handling the directory's Redis stores share: given a URL a store opens (and on
 * close, closes) its own client; given a client it uses it and leaves it open. The client sends
 * nothing while disconnected (no offline queue, so nothing piles up), so a call first waits, for
 * a bounded time, for the connection to be up.
 */
import {
  closeRedisClient,
  createRedisClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  redactRedisUrl,
  waitForReady,
  type RedisClient,
  type RedisClientLogger,
} from '@portcullis/redis-client';
import { DirectoryError } from './errors.js';

export interface RedisConnectionOptions {
  /**
   * How long a call waits for a connection that is not (yet) up before it fails; default the
   * connect timeout (2000 ms).
   */
  readyTimeoutMs?: number;
  /** For a URL: the client's timeouts and where its connection errors are logged. */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  logger?: RedisClientLogger;
}

export interface StoreConnection {
  /** the client once it is ready; a DirectoryError 'unavailable' after the ready timeout */
  connected(): Promise<RedisClient>;
  /** closes the client only when the store opened it */
  close(): Promise<void>;
}

/**
 * `clientName` names a client the store opens; `what` starts the 'unavailable' message
 * ("directory", "mailboxes").
 */
export function storeConnection(
  connection: string | RedisClient,
  options: RedisConnectionOptions,
  clientName: string,
  what: string,
): StoreConnection {
  const ownsClient = typeof connection === 'string';
  const where = typeof connection === 'string' ? redactRedisUrl(connection) : 'redis';
  const client: RedisClient =
    typeof connection === 'string'
      ? createRedisClient(connection, {
          name: clientName,
          ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
          ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        })
      : connection;
  const readyTimeoutMs = options.readyTimeoutMs ?? options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return {
    async connected() {
      if (client.status === 'ready') return client;
      if (await waitForReady(client, readyTimeoutMs)) return client;
      throw new DirectoryError('unavailable', `${what}: ${where} is not reachable (waited ${readyTimeoutMs} ms)`);
    },
    async close() {
      if (ownsClient) await closeRedisClient(client);
    },
  };
}
