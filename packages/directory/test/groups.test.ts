/** Groups in both stores: one document per domain, checked, seen by other instances, nested membership. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasGroupStore, validateAclIdentifier, type DirectoryStore, type GroupStore } from '@portcullis/auth-core';
import { describe, expect, it } from 'vitest';
import { createFileStore, createRedisStore, exportDirectory, importDirectory } from '../src/index.js';
import { perTestDocumentStore, type DocumentFixture } from './document-fixture.js';
import { freshFileStore } from './file-store-fixture.js';
import { freshRedisStore, useRedisServer } from './redis-fixture.js';

type Store = DirectoryStore & GroupStore;

/** writeDamaged stores, behind the store's back, a group of `domain` whose members are a string, not a list */
type Fixture = DocumentFixture<Store>;

function sharedBehaviour(setup: () => Promise<Fixture>): void {
  const f = perTestDocumentStore(setup, [{ name: 'example.test', aliases: ['ex.test'] }, { name: 'other.test' }]);

  it('is a group store, empty until a group is set, also for unknown or invalid domains', async () => {
    expect(hasGroupStore(f.store)).toBe(true);
    expect(await f.store.listGroups('example.test')).toEqual([]);
    expect(await f.store.listGroups('missing.test')).toEqual([]);
    expect(await f.store.listGroups('../etc')).toEqual([]);
    expect(await f.store.getGroup('example.test', 'sales')).toBeNull();
    expect(await f.store.getGroup('example.test', '../x')).toBeNull();
    expect(await f.store.groupsOf('joe@example.test')).toEqual([]);
  });

  it('creates, replaces, lists and deletes groups per domain, members canonical', async () => {
    await f.store.setGroup('example.test', 'sales', ['Joe', 'ann@other.test', 'joe', ' bob ']);
    await f.store.setGroup('example.test', 'all', ['#sales', 'zed']);
    await f.store.setGroup('other.test', 'sales', []);
    expect(await f.store.getGroup('example.test', 'sales')).toEqual({ name: 'sales', domain: 'example.test', members: ['joe', 'ann@other.test', 'bob'] });
    expect((await f.store.listGroups('example.test')).map((g) => g.name)).toEqual(['all', 'sales']);
    expect(await f.store.listGroups('other.test')).toEqual([{ name: 'sales', domain: 'other.test', members: [] }]);
    await f.store.setGroup('example.test', 'sales', ['joe']);
    expect((await f.store.getGroup('example.test', 'sales'))!.members).toEqual(['joe']);
    await f.store.deleteGroup('example.test', 'sales');
    expect(await f.store.getGroup('example.test', 'sales')).toBeNull();
    expect((await f.store.listGroups('example.test')).map((g) => g.name)).toEqual(['all']);
    await expect(f.store.deleteGroup('example.test', 'sales')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('answers groupsOf across domains, with nested groups', async () => {
    await f.store.setGroup('example.test', 'dev', ['joe', 'ann@other.test']);
    await f.store.setGroup('example.test', 'staff', ['#dev', 'bob']);
    await f.store.setGroup('other.test', 'everyone', ['#staff@example.test']);
    expect(await f.store.groupsOf('joe@example.test')).toEqual(['dev@example.test', 'everyone@other.test', 'staff@example.test']);
    expect(await f.store.groupsOf('Ann@Other.test')).toEqual(['dev@example.test', 'everyone@other.test', 'staff@example.test']);
    expect(await f.store.groupsOf('bob@example.test')).toEqual(['everyone@other.test', 'staff@example.test']);
    expect(await f.store.groupsOf('bob@other.test')).toEqual([]);
  });

  it('is seen by another instance at its next lookup', async () => {
    const other = f.another();
    expect(await other.getGroup('example.test', 'sales')).toBeNull();
    await f.store.setGroup('example.test', 'sales', ['joe']);
    expect(await other.getGroup('example.test', 'sales')).toMatchObject({ members: ['joe'] });
    await other.setGroup('example.test', 'sales', ['ann']);
    expect(await f.store.groupsOf('ann@example.test')).toEqual(['sales@example.test']);
  });

  it('refuses a missing domain, bad names and bad members', async () => {
    await expect(f.store.setGroup('missing.test', 'sales', [])).rejects.toMatchObject({ code: 'not-found' });
    await expect(f.store.setGroup('Example.Test', 'sales', [])).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setGroup('example.test', '../x', [])).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setGroup('example.test', 'Sales', [])).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setGroup('example.test', 'sales', ['joe@'])).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setGroup('example.test', 'sales', ['a b'])).rejects.toThrow(/invalid group member 'a b'/);
    await expect(f.store.setGroup('example.test', 'sales', 'joe' as unknown as string[])).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.deleteGroup('example.test', '#x')).rejects.toMatchObject({ code: 'invalid-name' });
    expect(await f.store.listGroups('example.test')).toEqual([]);
  });

  it('reports a damaged document as corrupt instead of granting from it', async () => {
    await f.writeDamaged('example.test');
    await expect(f.store.listGroups('example.test')).rejects.toMatchObject({ code: 'corrupt' });
    await expect(f.store.groupsOf('joe@example.test')).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('loses no group when many are set at once', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => f.store.setGroup('example.test', `g${i}`, [`u${i}`])));
    expect(await f.store.listGroups('example.test')).toHaveLength(20);
    expect(await f.store.groupsOf('u7@example.test')).toEqual(['g7@example.test']);
  });

  it('returns copies', async () => {
    await f.store.setGroup('example.test', 'sales', ['joe']);
    const got = await f.store.getGroup('example.test', 'sales');
    got!.members.push('eve');
    expect((await f.store.getGroup('example.test', 'sales'))!.members).toEqual(['joe']);
  });

  it('lets validateAclIdentifier check real names against it', async () => {
    await f.store.createAccount({ name: 'joe', domain: 'example.test', settings: {} });
    await f.store.setGroup('example.test', 'sales', ['joe']);
    expect(await validateAclIdentifier('-#sales', f.store, 'example.test')).toMatchObject({ kind: 'group', canonical: '-#sales' });
    expect(await validateAclIdentifier('joe@example.test', f.store, 'other.test')).toMatchObject({ kind: 'account' });
    expect(await validateAclIdentifier('#sales@ex.test', f.store, 'other.test')).toMatchObject({ code: 'domain-alias' });
    expect(await validateAclIdentifier('#nope', f.store, 'example.test')).toMatchObject({ code: 'unknown-group' });
    expect(await validateAclIdentifier('jonny', f.store, 'example.test')).toMatchObject({ code: 'unknown-account' });
  });
}

describe('file store', () => {
  let dir: string;
  sharedBehaviour(async () => {
    const fresh = await freshFileStore('portcullis-groups-');
    return {
      ...fresh,
      writeDamaged: (domain) => writeFile(join(fresh.dir, 'domains', domain, 'groups.yaml'), 'sales: joe\n'),
    };
  });

  it('writes domains/<domain>/groups.yaml, readable by people', async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-groups-'));
    const store = createFileStore(dir);
    try {
      await store.createDomain({ name: 'example.test' });
      await store.setGroup('example.test', 'sales', ['joe', '#dev']);
      const text = await readFile(join(dir, 'domains', 'example.test', 'groups.yaml'), 'utf8');
      expect(text).toMatch(/^sales:\n\s+- joe\n\s+- "?#dev"?$/m);
      expect(text).toContain('portcullis group');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('export and import', () => {
  it('carry the groups, and import without replace keeps the target groups', async () => {
    const root = await mkdtemp(join(tmpdir(), 'portcullis-groups-x-'));
    const from = createFileStore(join(root, 'a'));
    const into = createFileStore(join(root, 'b'));
    try {
      await from.createDomain({ name: 'example.test' });
      await from.setGroup('example.test', 'sales', ['joe']);
      await from.setGroup('example.test', 'dev', ['ann']);
      await exportDirectory(from, join(root, 'x'));
      expect(await createFileStore(join(root, 'x')).getGroup('example.test', 'sales')).toMatchObject({ members: ['joe'] });
      await into.createDomain({ name: 'example.test' });
      await into.setGroup('example.test', 'sales', ['bob']);
      const r = await importDirectory(join(root, 'x'), into, { replace: false });
      expect(r.kept).toBeGreaterThanOrEqual(1);
      expect(await into.getGroup('example.test', 'sales')).toMatchObject({ members: ['bob'] });
      expect(await into.getGroup('example.test', 'dev')).toMatchObject({ members: ['ann'] });
      await importDirectory(join(root, 'x'), into);
      expect(await into.getGroup('example.test', 'sales')).toMatchObject({ members: ['joe'] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('redis store', () => {
  const redis = useRedisServer('g');

  sharedBehaviour(async () => {
    const fresh = freshRedisStore(redis);
    const prefix = fresh.prefix;
    return {
      ...fresh,
      writeDamaged: async (domain) => {
        await redis.probe.hset(`${prefix}{dir}:groups:${domain}`, 'sales', JSON.stringify('joe'));
      },
    };
  });

  it('keeps one hash per domain (a field per group) without an expiry', async () => {
    const p = redis.freshPrefix();
    const store = createRedisStore(redis.url, { keyPrefix: p });
    try {
      await store.createDomain({ name: 'example.test' });
      await store.setGroup('example.test', 'sales', ['joe']);
      const key = `${p}{dir}:groups:example.test`;
      expect(await redis.probe.hgetall(key)).toEqual({ sales: '["joe"]' });
      expect(await redis.probe.ttl(key)).toBe(-1);
      await redis.probe.hset(key, 'dev', '{not json');
      await expect(store.listGroups('example.test')).rejects.toMatchObject({ code: 'corrupt' });
    } finally {
      await store.close();
    }
  });
});
