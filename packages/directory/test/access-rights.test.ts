/** The access-rights documents of both stores: one per domain, shape-checked, seen by other instances. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessRightsStore, DirectoryStore } from '@portcullis/auth-core';
import { describe, expect, it } from 'vitest';
import { createFileStore, createRedisStore, exportDirectory, importDirectory } from '../src/index.js';
import { perTestDocumentStore, type DocumentFixture } from './document-fixture.js';
import { freshFileStore } from './file-store-fixture.js';
import { freshRedisStore, useRedisServer } from './redis-fixture.js';

type Store = DirectoryStore & AccessRightsStore;

/** writeDamaged stores, behind the store's back, a document for `domain` whose rights are a string, not a list */
type Fixture = DocumentFixture<Store>;

function sharedBehaviour(setup: () => Promise<Fixture>): void {
  const f = perTestDocumentStore(setup, [{ name: 'example.test' }, { name: 'other.test' }]);

  it('is empty until something is granted, also for unknown or invalid domains', async () => {
    expect(await f.store.getAccessRights('example.test')).toEqual({});
    expect(await f.store.getAccessRights('missing.test')).toEqual({});
    expect(await f.store.getAccessRights('../etc')).toEqual({});
  });

  it('keeps one document per domain, replaced whole, and drops empty entries', async () => {
    await f.store.setAccessRights('example.test', { alice: ['CanImpersonate'], bob: ['Master', 'Monitor'] });
    await f.store.setAccessRights('other.test', { carol: ['Domain'] });
    expect(await f.store.getAccessRights('example.test')).toEqual({ alice: ['CanImpersonate'], bob: ['Master', 'Monitor'] });
    await f.store.setAccessRights('example.test', { alice: [], bob: ['Monitor'] });
    expect(await f.store.getAccessRights('example.test')).toEqual({ bob: ['Monitor'] });
    expect(await f.store.getAccessRights('other.test')).toEqual({ carol: ['Domain'] });
  });

  it('is seen by another instance at its next lookup', async () => {
    const other = f.another();
    expect(await other.getAccessRights('example.test')).toEqual({});
    await f.store.setAccessRights('example.test', { alice: ['CanImpersonate'] });
    expect(await other.getAccessRights('example.test')).toEqual({ alice: ['CanImpersonate'] });
    await other.setAccessRights('example.test', { alice: ['Domain'] });
    expect(await f.store.getAccessRights('example.test')).toEqual({ alice: ['Domain'] });
  });

  it('refuses a missing domain and bad names or shapes', async () => {
    await expect(f.store.setAccessRights('missing.test', { a: ['Domain'] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(f.store.setAccessRights('Example.Test', {})).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setAccessRights('example.test', { '../x': ['Domain'] })).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(f.store.setAccessRights('example.test', { a: 'Domain' as unknown as string[] })).rejects.toMatchObject({ code: 'invalid-name' });
    expect(await f.store.getAccessRights('example.test')).toEqual({});
  });

  it('reports a damaged document as corrupt instead of granting from it', async () => {
    await f.writeDamaged('example.test');
    await expect(f.store.getAccessRights('example.test')).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('returns copies', async () => {
    await f.store.setAccessRights('example.test', { alice: ['Domain'] });
    const got = await f.store.getAccessRights('example.test');
    got['alice']!.push('Master');
    expect(await f.store.getAccessRights('example.test')).toEqual({ alice: ['Domain'] });
  });
}

describe('file store', () => {
  let dir: string;
  sharedBehaviour(async () => {
    const fresh = await freshFileStore('portcullis-access-');
    return {
      ...fresh,
      writeDamaged: (domain) => writeFile(join(fresh.dir, 'domains', domain, 'access.yaml'), 'alice: Master\n'),
    };
  });

  it('writes domains/<domain>/access.yaml, readable by people', async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-access-'));
    const store = createFileStore(dir);
    try {
      await store.createDomain({ name: 'example.test' });
      await store.setAccessRights('example.test', { alice: ['CanImpersonate', 'Domain'] });
      const text = await readFile(join(dir, 'domains', 'example.test', 'access.yaml'), 'utf8');
      expect(text).toMatch(/^alice:\n\s+- CanImpersonate\n\s+- Domain$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('export and import', () => {
  it('carry the access rights, and import without replace keeps the target account entries', async () => {
    const root = await mkdtemp(join(tmpdir(), 'portcullis-access-x-'));
    const from = createFileStore(join(root, 'a'));
    const into = createFileStore(join(root, 'b'));
    try {
      await from.createDomain({ name: 'example.test' });
      await from.setAccessRights('example.test', { alice: ['CanImpersonate'], bob: ['Domain'] });
      await exportDirectory(from, join(root, 'x'));
      expect(await createFileStore(join(root, 'x')).getAccessRights('example.test')).toEqual({ alice: ['CanImpersonate'], bob: ['Domain'] });
      await into.createDomain({ name: 'example.test' });
      await into.setAccessRights('example.test', { alice: ['Master'] });
      const r = await importDirectory(join(root, 'x'), into, { replace: false });
      expect(r.kept).toBeGreaterThanOrEqual(1);
      expect(await into.getAccessRights('example.test')).toEqual({ alice: ['Master'], bob: ['Domain'] });
      await importDirectory(join(root, 'x'), into);
      expect(await into.getAccessRights('example.test')).toEqual({ alice: ['CanImpersonate'], bob: ['Domain'] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('redis store', () => {
  const redis = useRedisServer('a');

  sharedBehaviour(async () => {
    const fresh = freshRedisStore(redis);
    const prefix = fresh.prefix;
    return {
      ...fresh,
      writeDamaged: async (domain) => {
        await redis.probe.set(`${prefix}{dir}:access:${domain}`, JSON.stringify({ alice: 'Master' }));
      },
    };
  });

  it('keeps one key per domain without an expiry', async () => {
    const p = redis.freshPrefix();
    const store = createRedisStore(redis.url, { keyPrefix: p });
    try {
      await store.createDomain({ name: 'example.test' });
      await store.setAccessRights('example.test', { alice: ['CanImpersonate'] });
      const key = `${p}{dir}:access:example.test`;
      expect(JSON.parse((await redis.probe.get(key))!)).toEqual({ alice: ['CanImpersonate'] });
      expect(await redis.probe.ttl(key)).toBe(-1);
    } finally {
      await store.close();
    }
  });
});
