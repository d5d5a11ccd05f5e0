import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient, waitForReady, Cluster } from '@portcullis/redis-client';
import {
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  type ClusterHandle,
  type RedisServerHandle,
  type SentinelHandle,
} from '@portcullis/redis-client/testing';
import { createCache, keyLayout, type ManagedSessionCache } from '../src/index.js';

async function exercise(a: ManagedSessionCache, b: ManagedSessionCache, account: string): Promise<void> {
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).recordFailure(account, 4, 60)));
  expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(results.filter((r) => r.count === 4 && r.locked)).toHaveLength(1);
  expect(await b.isLocked(account)).toBe(true);
  // two keys in one call: legal on Cluster only because of the hash tag
  await a.clearFailures(account);
  expect(await b.isLocked(account)).toBe(false);

  await a.putNonce(`${account}-nonce`, 60);
  const takes = await Promise.all([a.takeNonce(`${account}-nonce`), b.takeNonce(`${account}-nonce`)]);
  expect(takes.filter(Boolean)).toHaveLength(1);
  expect(a.status()).toBe('ok');
}

describe('Sentinel URL', () => {
  let master: RedisServerHandle;
  let sentinel: SentinelHandle;

  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startRedisSentinel(master.port, 'pcmaster');
  });

  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it('finds the master through the sentinel and shares lockout and nonces', async () => {
    expect(sentinel.url).toBe(`redis+sentinel://127.0.0.1:${sentinel.port}/pcmaster`);
    const a = await createCache(sentinel.url);
    const b = await createCache(`${sentinel.url}/0`);
    try {
      expect(a.status()).toBe('ok');
      await exercise(a, b, 'sentinel@x.test');
      // the data is on the master the sentinel named
      const direct = createRedisClient(master.url);
      try {
        await waitForReady(direct, 2000);
        await a.recordFailure('where@x.test', 9, 60);
        expect(await direct.exists(keyLayout().lockoutCount('where@x.test'))).toBe(1);
      } finally {
        await closeRedisClient(direct);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Cluster URL', () => {
  let cluster: ClusterHandle;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('shares lockout and nonces over a 3-node cluster, keys of one account in one slot', async () => {
    const a = await createCache(cluster.url);
    const b = await createCache(cluster.url);
    try {
      expect(a.status()).toBe('ok');
      // several accounts, so that the scripts run on more than one node
      for (const account of ['c1@x.test', 'c2@y.test', 'c3@z.test', 'c4@w.test']) await exercise(a, b, account);
      // sessions and their per-account index live in different slots: each a command of its own
      const ids = Array.from({ length: 6 }, (_, i) => `cluster-s${i}`);
      for (const id of ids) await a.putSession(id, { account: 'lister@x.test', kind: 'webuser', createdAt: 1 }, 60);
      expect(await b.touchSession(ids[0]!, 120)).toBe(true);
      await b.deleteSession(ids[1]!);
      expect((await b.listSessions('lister@x.test')).map((s) => s.id).sort()).toEqual(ids.slice(2).concat(ids[0]!).sort());
      const client = createRedisClient(cluster.url);
      try {
        expect(client).toBeInstanceOf(Cluster);
        await waitForReady(client, 5000);
        const layout = keyLayout();
        const slot = async (key: string) => Number(await (client as Cluster).call('CLUSTER', 'KEYSLOT', key));
        expect(await slot(layout.lockoutCount('c1@x.test'))).toBe(await slot(layout.lockoutLock('c1@x.test')));
      } finally {
        await closeRedisClient(client);
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});
