import { describe, expect, it } from 'vitest';
import { createCache, createMemoryCache } from '../src/index.js';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(sec: number) {
      t += sec * 1000;
    },
  };
}

describe('lockout counters', () => {
  it('locks when the limit is reached inside the period, and unlocks after it', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    expect(await cache.recordFailure('a@x', 3, 60)).toEqual({ count: 1, locked: false });
    c.advance(10);
    expect(await cache.recordFailure('a@x', 3, 60)).toEqual({ count: 2, locked: false });
    expect(await cache.isLocked('a@x')).toBe(false);
    c.advance(10);
    expect(await cache.recordFailure('a@x', 3, 60)).toEqual({ count: 3, locked: true });
    expect(await cache.isLocked('a@x')).toBe(true);
    c.advance(59);
    expect(await cache.isLocked('a@x')).toBe(true);
    c.advance(1);
    expect(await cache.isLocked('a@x')).toBe(false);
    // a new window starts after the lock ended
    expect(await cache.recordFailure('a@x', 3, 60)).toEqual({ count: 1, locked: false });
  });

  it('counts the window from the first failure', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    await cache.recordFailure('k', 2, 30);
    c.advance(30);
    // the first failure's window has passed: this is a new first failure
    expect(await cache.recordFailure('k', 2, 30)).toEqual({ count: 1, locked: false });
    c.advance(29);
    expect(await cache.recordFailure('k', 2, 30)).toEqual({ count: 2, locked: true });
  });

  it('does not extend the lock with failures while locked', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    await cache.recordFailure('k', 1, 10);
    c.advance(5);
    expect(await cache.recordFailure('k', 1, 10)).toEqual({ count: 2, locked: true });
    c.advance(5);
    expect(await cache.isLocked('k')).toBe(false);
  });

  it('never locks with limit 0', async () => {
    const cache = createMemoryCache();
    for (let i = 0; i < 50; i++) expect((await cache.recordFailure('k', 0, 60)).locked).toBe(false);
    expect(await cache.isLocked('k')).toBe(false);
  });

  it('clearFailures forgets the count and the lock', async () => {
    const cache = createMemoryCache();
    await cache.recordFailure('k', 2, 60);
    await cache.clearFailures('k');
    expect(await cache.recordFailure('k', 2, 60)).toEqual({ count: 1, locked: false });
    await cache.recordFailure('k', 2, 60);
    expect(await cache.isLocked('k')).toBe(true);
    await cache.clearFailures('k');
    expect(await cache.isLocked('k')).toBe(false);
  });

  it('keeps keys apart', async () => {
    const cache = createMemoryCache();
    await cache.recordFailure('a', 1, 60);
    expect(await cache.isLocked('a')).toBe(true);
    expect(await cache.isLocked('b')).toBe(false);
  });
});

describe('nonces', () => {
  it('can be taken exactly once', async () => {
    const cache = createMemoryCache();
    await cache.putNonce('n1', 60);
    expect(await cache.takeNonce('n1')).toBe(true);
    expect(await cache.takeNonce('n1')).toBe(false);
    expect(await cache.takeNonce('never-put')).toBe(false);
  });

  it('expire after their TTL', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    await cache.putNonce('n', 30);
    c.advance(30);
    expect(await cache.takeNonce('n')).toBe(false);
  });
});

describe('sessions', () => {
  it('are stored, read, deleted and expire', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    const record = { account: 'a@x.test', kind: 'webuser' as const, createdAt: 5 };
    await cache.putSession('s1', record, 100);
    expect(await cache.getSession('s1')).toEqual(record);
    await cache.putSession('s2', record, 100);
    await cache.deleteSession('s1');
    expect(await cache.getSession('s1')).toBeNull();
    c.advance(100);
    expect(await cache.getSession('s2')).toBeNull();
  });

  it('touchSession slides the expiry of an open session and never revives a closed one', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    await cache.putSession('s', { account: 'a@x.test', kind: 'webuser', createdAt: 1 }, 10);
    c.advance(9);
    expect(await cache.touchSession('s', 10)).toBe(true);
    c.advance(9);
    expect(await cache.getSession('s')).not.toBeNull();
    c.advance(1);
    expect(await cache.getSession('s')).toBeNull();
    expect(await cache.touchSession('s', 10)).toBe(false);
    await cache.putSession('d', { account: 'a@x.test', kind: 'webuser', createdAt: 1 }, 10);
    await cache.deleteSession('d');
    expect(await cache.touchSession('d', 10)).toBe(false);
    expect(await cache.getSession('d')).toBeNull();
  });

  it('listSessions answers an account\'s live sessions with their expiry, oldest first', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now });
    await cache.putSession('s2', { account: 'a@x.test', kind: 'webuser', createdAt: 2 }, 10);
    await cache.putSession('s1', { account: 'A@X.test', kind: 'ximss', createdAt: 1 }, 100);
    await cache.putSession('other', { account: 'b@x.test', kind: 'webuser', createdAt: 1 }, 100);
    await cache.putSession('gone', { account: 'a@x.test', kind: 'webuser', createdAt: 3 }, 100);
    await cache.deleteSession('gone');
    expect(await cache.listSessions('a@x.test')).toEqual([
      { id: 's1', record: { account: 'A@X.test', kind: 'ximss', createdAt: 1 }, expiresAt: 1_000_000 + 100_000 },
      { id: 's2', record: { account: 'a@x.test', kind: 'webuser', createdAt: 2 }, expiresAt: 1_000_000 + 10_000 },
    ]);
    c.advance(10);
    expect((await cache.listSessions('a@x.test')).map((s) => s.id)).toEqual(['s1']);
    expect(await cache.touchSession('s1', 500)).toBe(true);
    expect((await cache.listSessions('a@x.test'))[0]?.expiresAt).toBe(1_000_000 + 10_000 + 500_000);
    expect(await cache.listSessions('nobody@x.test')).toEqual([]);
  });

  it('returns copies', async () => {
    const cache = createMemoryCache();
    await cache.putSession('s', { account: 'a@x', kind: 'ximss', createdAt: 1 }, 60);
    const got = await cache.getSession('s');
    got!.account = 'evil@x';
    expect((await cache.getSession('s'))?.account).toBe('a@x');
  });
});

describe('bounds', () => {
  it('never holds more than maxEntries of a kind; the oldest go first', async () => {
    const cache = createMemoryCache({ maxEntries: 10 });
    for (let i = 0; i < 1000; i++) await cache.putNonce(`n${i}`, 600);
    expect(await cache.takeNonce('n0')).toBe(false);
    expect(await cache.takeNonce('n989')).toBe(false);
    for (let i = 990; i < 1000; i++) expect(await cache.takeNonce(`n${i}`)).toBe(true);
  });

  it('sweeps expired entries before evicting live ones', async () => {
    const c = clock();
    const cache = createMemoryCache({ now: c.now, maxEntries: 4 });
    await cache.putNonce('live', 600);
    for (let i = 0; i < 3; i++) await cache.putNonce(`short${i}`, 1);
    c.advance(2);
    await cache.putNonce('new', 600);
    expect(await cache.takeNonce('live')).toBe(true);
    expect(await cache.takeNonce('new')).toBe(true);
  });
});

describe('createCache', () => {
  it("gives the memory cache for 'memory'", async () => {
    const cache = await createCache('memory');
    await cache.putNonce('x', 10);
    expect(await cache.takeNonce('x')).toBe(true);
  });

  it('refuses an unknown cache without echoing it', async () => {
    await expect(createCache('memcached://:secret@127.0.0.1:11211')).rejects.toThrow(/unknown cache/);
    await expect(createCache('memcached://:secret@127.0.0.1:11211')).rejects.not.toThrow(/secret/);
  });
});
