import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient, waitForReady, type RedisClient } from '@portcullis/redis-client';
import { startRedisServer, type RedisServerHandle } from '@portcullis/redis-client/testing';
import { CacheUnavailableError, createRedisCache, keyLayout, type ResilientCache } from '../src/index.js';

const COMMAND_TIMEOUT_MS = 300;
/** what "fails fast" means here: the command timeout plus scheduling slack */
const BOUND_MS = COMMAND_TIMEOUT_MS + 400;

let server: RedisServerHandle;
let cache: ResilientCache;
let other: ResilientCache;
const logs: { level: 'warn' | 'info'; msg: string; obj: object }[] = [];
const errors: string[] = [];
const statuses: string[] = [];

const logger = {
  warn: (obj: object, msg: string) => logs.push({ level: 'warn', msg, obj }),
  info: (obj: object, msg: string) => logs.push({ level: 'info', msg, obj }),
};

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = Date.now();
  const value = await body();
  return { value, ms: Date.now() - t };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withRaw<T>(body: (raw: RedisClient) => Promise<T>): Promise<T> {
  const raw = createRedisClient(server.url);
  try {
    await waitForReady(raw, 2000);
    return await body(raw);
  } finally {
    await closeRedisClient(raw);
  }
}

beforeAll(async () => {
  server = await startRedisServer();
  cache = await createRedisCache(server.url, {
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    connectTimeoutMs: 500,
    logger,
    onError: (err, op) => errors.push(`${op}: ${err.message}`),
    onStatusChange: (s) => statuses.push(s),
    probeIntervalMs: 200,
  });
  other = await createRedisCache(server.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: 500 });
});

afterAll(async () => {
  await cache?.close();
  await other?.close();
  await server?.stop();
});

describe('Redis killed mid-run', () => {
  it('falls back within a bounded time, warns once, and recovers by itself on restart', async () => {
    expect(cache.status()).toBe('ok');
    expect(await cache.recordFailure('k@x.test', 3, 60)).toEqual({ count: 1, locked: false });
    await other.putNonce('shared-before', 60);
    await cache.putSession('s-before', { account: 'k@x.test', kind: 'webuser', createdAt: 1 }, 60);

    await server.kill();

    // lockout: per-instance counters, every call bounded
    const results = [];
    for (let i = 0; i < 4; i++) {
      const r = await timed(() => cache.recordFailure('down@x.test', 3, 60));
      expect(r.ms).toBeLessThan(BOUND_MS);
      results.push(r.value);
    }
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => r.locked)).toEqual([false, false, true, true]);
    expect((await timed(() => cache.isLocked('down@x.test'))).value).toBe(true);
    expect(cache.status()).toBe('degraded');

    // nonces: local while down, still single use; a shared nonce cannot be taken (the safe side)
    await cache.putNonce('local-n', 60);
    expect(await cache.takeNonce('local-n')).toBe(true);
    expect(await cache.takeNonce('local-n')).toBe(false);
    expect(await cache.takeNonce('shared-before')).toBe(false);

    // sessions: refused
    const get = await timed(() => cache.getSession('s-before'));
    expect(get.value).toBeNull();
    expect(get.ms).toBeLessThan(BOUND_MS);
    await expect(cache.putSession('s-x', { account: 'k@x.test', kind: 'webuser', createdAt: 1 }, 60)).rejects.toBeInstanceOf(
      CacheUnavailableError,
    );
    await expect(cache.deleteSession('s-before')).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(await cache.touchSession('s-before', 60)).toBe(false);
    await expect(cache.listSessions('k@x.test')).rejects.toBeInstanceOf(CacheUnavailableError);

    // many parallel calls while down: none waits
    const burst = await timed(() => Promise.all(Array.from({ length: 50 }, (_, i) => cache.recordFailure(`burst${i}@x.test`, 3, 60))));
    expect(burst.ms).toBeLessThan(BOUND_MS);

    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logs[0]?.msg).toMatch(/lockout now counted per instance/);
    expect(statuses).toEqual(['degraded']);

    // a nonce issued during the outage stays usable (once) on this instance after it
    await cache.putNonce('outage-n', 60);

    server = await startRedisServer({ port: server.port, dir: server.dir });
    await until(() => cache.status() === 'ok', 5000);
    expect(logs.filter((l) => l.level === 'info')).toHaveLength(1);
    expect(statuses).toEqual(['degraded', 'ok']);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);

    // Redis is used again: the counter lands there, where the other instance sees it
    expect(await cache.recordFailure('after@x.test', 2, 60)).toEqual({ count: 1, locked: false });
    await until(() => other.status() === 'ok', 5000);
    expect(await other.recordFailure('after@x.test', 2, 60)).toEqual({ count: 2, locked: true });
    await withRaw(async (raw) => {
      expect(await raw.exists(keyLayout().lockoutLock('after@x.test'))).toBe(1);
    });
    // the lock counted locally during the outage is still honoured
    expect(await cache.isLocked('down@x.test')).toBe(true);
    expect(await cache.takeNonce('outage-n')).toBe(true);
    expect(await cache.takeNonce('outage-n')).toBe(false);
    // sessions work again
    await cache.putSession('s-after', { account: 'k@x.test', kind: 'webuser', createdAt: 2 }, 60);
    expect(await other.getSession('s-after')).toMatchObject({ account: 'k@x.test' });
  });
});

describe('Redis frozen (SIGSTOP)', () => {
  it('no call waits longer than the command timeout, and it recovers when Redis resumes', async () => {
    await until(() => cache.status() === 'ok', 5000);
    const warnsBefore = logs.filter((l) => l.level === 'warn').length;
    const errorsBefore = errors.length;
    process.kill(server.pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 5; i++) {
        const r = await timed(() => cache.recordFailure('frozen@x.test', 3, 60));
        expect(r.ms).toBeLessThan(BOUND_MS);
      }
      const lockCheck = await timed(() => cache.isLocked('frozen@x.test'));
      expect(lockCheck.value).toBe(true);
      expect(lockCheck.ms).toBeLessThan(BOUND_MS);
      expect(cache.status()).toBe('degraded');
      expect(errors.length).toBeGreaterThan(errorsBefore);
      expect(errors.at(-1)).toMatch(/timed out/i);
      expect(logs.filter((l) => l.level === 'warn')).toHaveLength(warnsBefore + 1);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    // the background probe finds it answering again, with no traffic needed (for /readyz)
    await until(() => cache.status() === 'ok', 5000);
    expect(await cache.recordFailure('thawed@x.test', 5, 60)).toEqual({ count: 1, locked: false });
    await withRaw(async (raw) => {
      expect(await raw.exists(keyLayout().lockoutCount('thawed@x.test'))).toBe(1);
    });
  });
});

describe('Redis not there at start-up', () => {
  it('starts degraded without waiting longer than the connect timeout, then joins when Redis appears', async () => {
    const port = server.port;
    await server.stop();
    const { value: late, ms } = await timed(() =>
      createRedisCache(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 400, commandTimeoutMs: COMMAND_TIMEOUT_MS }),
    );
    try {
      expect(ms).toBeLessThan(1500);
      expect(late.status()).toBe('degraded');
      expect(await late.recordFailure('early@x.test', 1, 60)).toEqual({ count: 1, locked: true });
      server = await startRedisServer({ port, dir: server.dir });
      await until(() => late.status() === 'ok', 5000);
      await late.putNonce('late-n', 60);
      await until(() => other.status() === 'ok', 5000);
      expect(await other.takeNonce('late-n')).toBe(true);
    } finally {
      await late.close();
    }
  });
});
