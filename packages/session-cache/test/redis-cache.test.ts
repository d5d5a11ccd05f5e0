import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient, waitForReady, type RedisClient } from '@portcullis/redis-client';
import { startRedisServer, type RedisServerHandle } from '@portcullis/redis-client/testing';
import { createCache, createRedisCache, keyLayout, type FullSessionCache } from '../src/index.js';

let server: RedisServerHandle;
let a: FullSessionCache;
let b: FullSessionCache;
let raw: RedisClient;

beforeAll(async () => {
  server = await startRedisServer();
  // two caches with two connections: two gateway instances
  a = await createCache(server.url);
  b = await createRedisCache(server.url);
  raw = createRedisClient(server.url);
  await waitForReady(raw, 2000);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  if (raw) await closeRedisClient(raw);
  await server?.stop();
});

describe('Redis cache: lockout', () => {
  it('counts N parallel failures from two instances exactly, and locks once at the limit', async () => {
    const limit = 5;
    const calls = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? a : b).recordFailure('race@x.test', limit, 60));
    const results = await Promise.all(calls);
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    for (const r of results) expect(r.locked).toBe(r.count >= limit);
    expect(results.filter((r) => r.count === limit)).toHaveLength(1);
    expect(await a.isLocked('race@x.test')).toBe(true);
    expect(await b.isLocked('race@x.test')).toBe(true);
    // the lock lives exactly one period: set once, not extended by the later failures
    const pttl = await raw.pttl(keyLayout().lockoutLock('race@x.test'));
    expect(pttl).toBeGreaterThan(58_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('behaves like the memory cache: window, lock for the period, new window after it', async () => {
    expect(await a.recordFailure('w@x.test', 2, 1)).toEqual({ count: 1, locked: false });
    expect(await b.isLocked('w@x.test')).toBe(false);
    expect(await b.recordFailure('w@x.test', 2, 1)).toEqual({ count: 2, locked: true });
    expect(await a.recordFailure('w@x.test', 2, 1)).toEqual({ count: 3, locked: true });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await a.isLocked('w@x.test')).toBe(false);
    expect(await a.recordFailure('w@x.test', 2, 1)).toEqual({ count: 1, locked: false });
  });

  it('limit 0 never locks, and clearFailures forgets everything on every instance', async () => {
    for (let i = 0; i < 5; i++) expect((await a.recordFailure('z@x.test', 0, 60)).locked).toBe(false);
    await a.recordFailure('c@x.test', 2, 60);
    await a.recordFailure('c@x.test', 2, 60);
    expect(await b.isLocked('c@x.test')).toBe(true);
    await b.clearFailures('c@x.test');
    expect(await a.isLocked('c@x.test')).toBe(false);
    expect(await a.recordFailure('c@x.test', 2, 60)).toEqual({ count: 1, locked: false });
  });

  it('keeps hostile keys apart and inside one hash tag', async () => {
    const layout = keyLayout();
    expect(layout.lockoutCount('}{x')).toBe('portcullis:lockout:{%7D%7Bx}:count');
    expect(await a.recordFailure('}{x', 1, 60)).toEqual({ count: 1, locked: true });
    expect(await a.isLocked('%7D%7Bx')).toBe(false);
    expect(() => keyLayout('bad{prefix')).toThrow(/prefix/);
  });
});

describe('Redis cache: nonces and sessions', () => {
  it('a nonce is taken exactly once across two instances', async () => {
    await a.putNonce('n-1', 60);
    const takes = await Promise.all([a.takeNonce('n-1'), b.takeNonce('n-1'), b.takeNonce('n-1'), a.takeNonce('n-1')]);
    expect(takes.filter(Boolean)).toHaveLength(1);
    expect(await b.takeNonce('never-put')).toBe(false);
  });

  it('a nonce expires', async () => {
    await a.putNonce('n-short', 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.takeNonce('n-short')).toBe(false);
  });

  it('sessions are shared, expire and can be deleted', async () => {
    const record = { account: 'u@x.test', kind: 'webuser' as const, createdAt: 1234 };
    await a.putSession('s-1', record, 60);
    expect(await b.getSession('s-1')).toEqual(record);
    await b.deleteSession('s-1');
    expect(await a.getSession('s-1')).toBeNull();
    await a.putSession('s-2', record, 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.getSession('s-2')).toBeNull();
  });

  it('touchSession slides a shared session; a deleted one stays deleted', async () => {
    const record = { account: 'u@x.test', kind: 'webuser' as const, createdAt: 1 };
    await a.putSession('s-t', record, 1);
    expect(await b.touchSession('s-t', 60)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await a.getSession('s-t')).toEqual(record);
    expect(await raw.ttl(keyLayout().session('s-t'))).toBeGreaterThan(50);
    await a.deleteSession('s-t');
    expect(await b.touchSession('s-t', 60)).toBe(false);
    expect(await raw.exists(keyLayout().session('s-t'))).toBe(0);
  });

  it('listSessions: an account\'s sessions from any instance, its set pruned of expired and deleted ones', async () => {
    const who = 'lister@x.test';
    await a.putSession('l-1', { account: who, kind: 'webuser', createdAt: 1 }, 60);
    await b.putSession('l-2', { account: who, kind: 'ximss', createdAt: 2 }, 1);
    await a.putSession('l-3', { account: who, kind: 'webuser', createdAt: 3 }, 60);
    await a.putSession('l-other', { account: 'else@x.test', kind: 'webuser', createdAt: 1 }, 60);
    const setKey = keyLayout().accountSessions(who);
    expect((await raw.smembers(setKey)).sort()).toEqual(['l-1', 'l-2', 'l-3']);
    expect(await raw.pttl(setKey)).toBeGreaterThan(59_000);
    const before = Date.now();
    const listed = await b.listSessions(who);
    expect(listed.map((s) => [s.id, s.record.kind])).toEqual([
      ['l-1', 'webuser'],
      ['l-2', 'ximss'],
      ['l-3', 'webuser'],
    ]);
    expect(listed[0]!.expiresAt).toBeGreaterThan(before + 58_000);
    expect(listed[0]!.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    await b.deleteSession('l-3');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await a.listSessions(who)).map((s) => s.id)).toEqual(['l-1']);
    expect(await raw.smembers(setKey)).toEqual(['l-1']);
    // a touch keeps the set alive as long as the session
    await a.putSession('l-4', { account: 'toucher@x.test', kind: 'webuser', createdAt: 1 }, 1);
    expect(await b.touchSession('l-4', 120)).toBe(true);
    expect(await raw.pttl(keyLayout().accountSessions('toucher@x.test'))).toBeGreaterThan(100_000);
    expect(await a.listSessions('nobody@x.test')).toEqual([]);
  });

  it('a corrupt session record reads as absent', async () => {
    await raw.set(keyLayout().session('s-bad'), '{"account":1}', 'EX', 60);
    expect(await a.getSession('s-bad')).toBeNull();
    await raw.set(keyLayout().session('s-bad'), 'not json', 'EX', 60);
    expect(await a.getSession('s-bad')).toBeNull();
  });

  it('every key it writes carries a TTL', async () => {
    await a.recordFailure('ttl@x.test', 3, 60);
    await a.recordFailure('ttl2@x.test', 1, 60);
    await a.putNonce('ttl-n', 60);
    await a.putSession('ttl-s', { account: 'u@x.test', kind: 'ximss', createdAt: 1 }, 60);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await raw.scan(cursor, 'MATCH', 'portcullis:*', 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      expect({ key, ttl: ttl > 0 }).toEqual({ key, ttl: true });
    }
  });

  it('uses a configurable prefix', async () => {
    const c = await createRedisCache(server.url, { prefix: 'other:' });
    try {
      await c.putNonce('p-1', 60);
      expect(await raw.exists('other:nonce:p-1')).toBe(1);
      expect(await a.takeNonce('p-1')).toBe(false);
      expect(await c.takeNonce('p-1')).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('reports ok while Redis answers', () => {
    expect(a.status()).toBe('ok');
  });
});
