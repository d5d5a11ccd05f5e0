import { createRedisClient, closeRedisClient, waitForReady } from '@portcullis/redis-client';
import { describe, expect, it } from 'vitest';
import { createRedisMailboxStore, createRedisStore, DirectoryError } from '../src/index.js';
import { deletionTests } from './delete-suite.js';
import { freshRedisStore, useRedisServer } from './redis-fixture.js';
import { directoryStoreSuite } from './store-suite.js';

const redis = useRedisServer('t');
/** the current test's key prefix */
let prefix = '';

const ctx = directoryStoreSuite(async () => {
  const fresh = freshRedisStore(redis);
  prefix = fresh.prefix;
  return fresh;
});

async function keysOf(p: string): Promise<string[]> {
  return (await redis.probe.keys(`${p}*`)).sort();
}

describe('redis layout', () => {
  it('keeps every key under the prefix, in one cluster slot, without an expiry', async () => {
    await ctx.store.setServerSettings({ hideUnknownAccount: true });
    await ctx.store.createDomain({ name: 'example.test', aliases: ['ex.test'] });
    await ctx.store.createAccount({ name: 'alice', domain: 'example.test', settings: { password: '{clear}pw' } });
    const keys = await keysOf(prefix);
    expect(keys).toEqual(
      [
        'account:example.test:alice',
        'accounts:example.test',
        'domain:example.test',
        'domains',
        'names',
        'server',
      ].map((k) => `${prefix}{dir}:${k}`),
    );
    for (const key of keys) expect(await redis.probe.ttl(key)).toBe(-1);
    expect(await redis.probe.hgetall(`${prefix}{dir}:names`)).toEqual({ 'example.test': 'example.test', 'ex.test': 'example.test' });
    expect(JSON.parse((await redis.probe.get(`${prefix}{dir}:account:example.test:alice`))!)).toEqual({ password: '{clear}pw' });
  });

  it('uses portcullis:dir: by default', async () => {
    const store = createRedisStore(redis.url);
    try {
      await store.createDomain({ name: `default.test` });
      expect(await redis.probe.exists('portcullis:dir:{dir}:domain:default.test')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('works over a client it is given, and leaves it open on close', async () => {
    const client = createRedisClient(redis.url);
    expect(await waitForReady(client, 5000)).toBe(true);
    const store = createRedisStore(client, { keyPrefix: prefix });
    await store.createDomain({ name: 'given.test' });
    await store.close();
    expect(client.status).toBe('ready');
    expect((await ctx.store.getDomain('given.test'))?.name).toBe('given.test');
    await closeRedisClient(client);
  });

  it('names the key when a value is not JSON', async () => {
    await ctx.store.createDomain({ name: 'example.test' });
    await redis.probe.set(`${prefix}{dir}:domain:example.test`, '{broken');
    const err = await ctx.store.getDomain('example.test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryError);
    expect(err).toMatchObject({ code: 'corrupt', message: expect.stringContaining(`${prefix}{dir}:domain:example.test`) });
  });

  it('fails within the ready timeout, without hanging, when Redis is not there', async () => {
    const store = createRedisStore('redis://127.0.0.1:1/0', { readyTimeoutMs: 300, connectTimeoutMs: 300 });
    const started = Date.now();
    try {
      await expect(store.getAccount('example.test', 'alice')).rejects.toThrow(/not reachable/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await store.close();
    }
  });
});

describe('deleting', () => {
  deletionTests(
    () => ctx.store as ReturnType<typeof createRedisStore>,
    () => createRedisMailboxStore(redis.probe, { keyPrefix: prefix }),
  );

  it('leaves no key of the deleted domain behind', async () => {
    const store = ctx.store as ReturnType<typeof createRedisStore>;
    await store.createDomain({ name: 'keep.test' });
    await store.createDomain({ name: 'gone.test', aliases: ['gone-alias.test'] });
    await store.createAccount({ name: 'joe', domain: 'gone.test', settings: {} });
    await store.setAccessRights('gone.test', { joe: ['Domain'] });
    await store.setGroup('gone.test', 'g', ['joe']);
    await createRedisMailboxStore(redis.probe, { keyPrefix: prefix }).updateMailboxes('joe@gone.test', (cur) => ({
      next: { ...cur, mailboxes: { X: { uidValidity: 1, acl: { anyone: 'l' } } } },
      result: null,
    }));
    await store.deleteDomain('gone.test');
    expect((await keysOf(prefix)).filter((k) => k.includes('gone'))).toEqual([]);
    expect(await redis.probe.hgetall(`${prefix}{dir}:names`)).toEqual({ 'keep.test': 'keep.test' });
    expect(await redis.probe.smembers(`${prefix}{dir}:domains`)).toEqual(['keep.test']);
  });
});
