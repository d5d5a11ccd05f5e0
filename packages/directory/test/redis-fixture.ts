/**
 * The Redis side of the directory tests: one redis-server per scope (a file or a describe block),
 * started in beforeAll and stopped by its handle in afterAll, a plain client for looking at the
 * keys behind a store, and a fresh key prefix per test so that tests share the server without
 * seeing each other.
 */
import { closeRedisClient, createRedisClient, waitForReady, type RedisClient } from '@portcullis/redis-client';
import { startRedisServer, type RedisServerHandle } from '@portcullis/redis-client/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { createRedisStore } from '../src/index.js';

export interface RedisFixture {
  /** the server's URL (once beforeAll ran) */
  readonly url: string;
  /** a plain client for looking at the keys behind a store (once beforeAll ran) */
  readonly probe: RedisClient;
  /** a key prefix no earlier call gave out: `<tag><n>:dir:` */
  freshPrefix(): string;
}

/** Call at the top of the scope whose beforeAll/afterAll should start and stop the server. */
export function useRedisServer(tag: string): RedisFixture {
  let server: RedisServerHandle | undefined;
  let probe: RedisClient | undefined;
  let n = 0;
  beforeAll(async () => {
    server = await startRedisServer();
    probe = createRedisClient(server.url);
    expect(await waitForReady(probe, 5000)).toBe(true);
  });
  afterAll(async () => {
    if (probe) await closeRedisClient(probe);
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the redis-server fixture is used before its beforeAll ran');
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get probe() {
      return started(probe);
    },
    freshPrefix: () => `${tag}${++n}:dir:`,
  };
}

/** A Redis directory store on a fresh prefix, in the shape the shared suites take. */
export function freshRedisStore(redis: RedisFixture): {
  prefix: string;
  store: ReturnType<typeof createRedisStore>;
  another: () => ReturnType<typeof createRedisStore>;
  cleanup: () => Promise<void>;
} {
  const prefix = redis.freshPrefix();
  const store = createRedisStore(redis.url, { keyPrefix: prefix });
  return {
    prefix,
    store,
    another: () => createRedisStore(redis.url, { keyPrefix: prefix }),
    cleanup: () => store.close(),
  };
}
