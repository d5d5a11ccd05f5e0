import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { describeRedisUrl, redactRedisUrl, type RedisUrlDescription } from './redis-url.js';

/** The subset of a pino logger this package writes to; a pino Logger fits as it is. */
export interface RedisClientLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RedisClientOptions {
  /** TCP connect (and Sentinel/Cluster discovery) timeout; default 2000 ms */
  connectTimeoutMs?: number;
  /** a command that has no answer after this fails with a timeout error; default 500 ms */
  commandTimeoutMs?: number;
  /** prefix ioredis adds to every key (KEYS of scripts included, not SCAN patterns) */
  keyPrefix?: string;
  /** connection errors (once per outage) and recoveries go here; nothing is logged without it */
  logger?: RedisClientLogger;
  /** connection name shown by CLIENT LIST (not the Sentinel master name, which is in the URL) */
  name?: string;
}

export type RedisClient = Redis | Cluster;

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
/** reconnect delays grow from 50 ms and stop growing here; retries never stop */
export const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Reconnect forever, backing off exponentially up to MAX_RECONNECT_DELAY_MS, with jitter so
 * that many instances do not reconnect in lockstep after Redis returns.
 */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

/**
 * An ioredis client for any of the URL forms of describeRedisUrl, with defaults that fail fast
 * rather than hang: no offline queue (a command while disconnected fails at once), a command
 * timeout, one retry per request, and reconnection by itself forever.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const description = describeRedisUrl(url);
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;

  const common: RedisOptions = {
    connectTimeout,
    commandTimeout,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    // after a Sentinel failover the old master answers READONLY: reconnect (to the new master)
    // and resend the command
    reconnectOnError: (err) => (/^READONLY\b/.test(err.message) ? 2 : false),
    ...(description.username !== undefined ? { username: description.username } : {}),
    ...(description.password !== undefined ? { password: description.password } : {}),
    ...(options.name !== undefined ? { connectionName: options.name } : {}),
  };

  const client = build(description, common, options.keyPrefix, connectTimeout);
  watchConnection(client, redactRedisUrl(url), options.logger);
  return client;
}

function build(d: RedisUrlDescription, common: RedisOptions, keyPrefix: string | undefined, connectTimeout: number): RedisClient {
  const prefix = keyPrefix !== undefined ? { keyPrefix } : {};
  switch (d.mode) {
    case 'standalone':
      return new Redis({
        ...common,
        ...prefix,
        host: d.host,
        port: d.port,
        db: d.db,
        enableOfflineQueue: false,
        retryStrategy: reconnectDelay,
        ...(d.tls ? { tls: { servername: d.host } } : {}),
      });
    case 'sentinel':
      return new Redis({
        ...common,
        ...prefix,
        sentinels: d.sentinels,
        name: d.masterName,
        db: d.db,
        enableOfflineQueue: false,
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
        ...(d.sentinelPassword !== undefined ? { sentinelPassword: d.sentinelPassword } : {}),
        ...(d.sentinelUsername !== undefined ? { sentinelUsername: d.sentinelUsername } : {}),
        ...(d.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      });
    case 'cluster': {
      const { maxRetriesPerRequest, ...nodeOptions } = common;
      const clusterOptions: ClusterOptions = {
        ...prefix,
        enableOfflineQueue: false,
        enableReadyCheck: true,
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: connectTimeout,
        // a MOVED/ASK chase is bounded, so a resharding cannot keep a call waiting
        maxRedirections: 4,
        redisOptions: {
          ...nodeOptions,
          maxRetriesPerRequest,
          ...(d.tls ? { tls: {} } : {}),
        },
      };
      return new Cluster(d.nodes, clusterOptions);
    }
  }
}

/**
 * ioredis emits 'error' on every failed reconnect; without a listener it prints each one.
 * Log the start of an outage and the recovery, nothing in between.
 */
function watchConnection(client: RedisClient, safeUrl: string, logger: RedisClientLogger | undefined): void {
  let down = false;
  const lost = (reason: string): void => {
    if (down) return;
    down = true;
    logger?.warn({ redis: safeUrl, err: reason }, 'redis connection error; reconnecting in the background');
  };
  client.on('error', (err: Error) => lost(err.message));
  // a server that goes away cleanly closes the socket without an error
  client.on('reconnecting', () => lost('connection closed'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ redis: safeUrl }, 'redis connection ready again');
  });
}

/**
 * Wait until the client can take commands (the offline queue is off, so a command sent before
 * that fails). True when ready within `timeoutMs`; false otherwise (it keeps reconnecting).
 */
export function waitForReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    client.on('ready', onReady);
  });
}

/** QUIT politely when connected, and cut the connection if that does not finish in time. */
export async function closeRedisClient(client: RedisClient, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
