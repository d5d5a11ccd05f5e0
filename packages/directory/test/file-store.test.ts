import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFileMailboxStore, createFileStore } from '../src/index.js';
import { deletionTests } from './delete-suite.js';
import { freshFileStore } from './file-store-fixture.js';
import { directoryStoreSuite } from './store-suite.js';

let dir: string;

const ctx = directoryStoreSuite(async () => {
  const fresh = await freshFileStore('portcullis-dir-');
  dir = fresh.dir;
  return fresh;
});

describe('file layout', () => {
  it('writes server settings to server.yaml', async () => {
    await ctx.store.setServerSettings({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
    const text = await readFile(join(dir, 'server.yaml'), 'utf8');
    expect(text).toContain('hideUnknownAccount: true');
  });

  it('keeps a domain in domains/<name>/domain.yaml', async () => {
    await ctx.store.createDomain({ name: 'example.test', loginMethods: ['CLRTXT'] });
    await ctx.store.updateDomain({ name: 'example.test', loginMethods: ['CRAM-MD5'] });
    const text = await readFile(join(dir, 'domains', 'example.test', 'domain.yaml'), 'utf8');
    expect(text).toMatch(/loginMethods:\n\s+- CRAM-MD5/);
  });

  describe('accounts', () => {
    beforeEach(async () => {
      await ctx.store.createDomain({ name: 'example.test' });
    });

    it('creates an account file with mode 0600', async () => {
      await ctx.store.createAccount({ name: 'alice', domain: 'example.test', settings: { password: '{clear}pw' } });
      const file = join(dir, 'domains', 'example.test', 'accounts', 'alice.yaml');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('leaves no temporary files behind', async () => {
      await ctx.store.createAccount({ name: 'bob', domain: 'example.test', settings: {} });
      await ctx.store.updateAccount({ name: 'bob', domain: 'example.test', settings: { failedLoginLimit: 3 } });
      expect(await readdir(join(dir, 'domains', 'example.test', 'accounts'))).toEqual(['bob.yaml']);
    });

    it('serves repeated reads from its cache yet sees a change by another process at the next read', async () => {
      const other = createFileStore(dir);
      await ctx.store.createAccount({ name: 'carol', domain: 'example.test', settings: { failedLoginLimit: 3 } });
      // warm the cache, then change the file from another store (the CLI) with the same size
      expect((await ctx.store.getAccount('example.test', 'carol'))?.settings.failedLoginLimit).toBe(3);
      expect((await ctx.store.getAccount('example.test', 'carol'))?.settings.failedLoginLimit).toBe(3);
      await other.updateAccount({ name: 'carol', domain: 'example.test', settings: { failedLoginLimit: 4 } });
      expect((await ctx.store.getAccount('example.test', 'carol'))?.settings.failedLoginLimit).toBe(4);
      // an in-place rewrite of the same length (same inode) is seen too
      const file = join(dir, 'domains', 'example.test', 'accounts', 'carol.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('failedLoginLimit: 4', 'failedLoginLimit: 5'));
      expect((await ctx.store.getAccount('example.test', 'carol'))?.settings.failedLoginLimit).toBe(5);
      await rm(file);
      expect(await ctx.store.getAccount('example.test', 'carol')).toBeNull();
      await other.close();
    });

    it('sees a file another process creates after it was found missing', async () => {
      const other = createFileStore(dir);
      expect(await ctx.store.getServerSettings()).toEqual({});
      expect(await ctx.store.getAccount('example.test', 'erin')).toBeNull();
      await other.setServerSettings({ hideUnknownAccount: true });
      await other.createAccount({ name: 'erin', domain: 'example.test', settings: { failedLoginLimit: 2 } });
      expect(await ctx.store.getServerSettings()).toEqual({ hideUnknownAccount: true });
      expect((await ctx.store.getAccount('example.test', 'erin'))?.settings.failedLoginLimit).toBe(2);
      await other.close();
    });

    it('gives each caller its own copy of a cached file', async () => {
      await ctx.store.createAccount({ name: 'dave', domain: 'example.test', settings: { tagPasswords: { app: '{clear}x' } } });
      const first = await ctx.store.getAccount('example.test', 'dave');
      first!.settings.tagPasswords!.app = 'changed';
      expect((await ctx.store.getAccount('example.test', 'dave'))?.settings.tagPasswords?.app).toBe('{clear}x');
    });

    it('names the file when it holds broken YAML', async () => {
      await ctx.store.createAccount({ name: 'eve', domain: 'example.test', settings: {} });
      await writeFile(join(dir, 'domains', 'example.test', 'accounts', 'eve.yaml'), 'a: [unclosed\n');
      await expect(ctx.store.getAccount('example.test', 'eve')).rejects.toThrow(/eve\.yaml: not valid YAML/);
    });
  });
});

describe('deleting', () => {
  deletionTests(
    () => createFileStore(dir),
    () => createFileMailboxStore(dir),
  );

  it('removes the account file and the domain folder', async () => {
    const store = createFileStore(dir);
    await store.createDomain({ name: 'gone.test' });
    await store.createAccount({ name: 'joe', domain: 'gone.test', settings: {} });
    await store.createAccount({ name: 'ann', domain: 'gone.test', settings: {} });
    await store.deleteAccount('gone.test', 'joe');
    expect(await readdir(join(dir, 'domains', 'gone.test', 'accounts'))).toEqual(['ann.yaml']);
    await store.deleteDomain('gone.test');
    expect(await readdir(join(dir, 'domains'))).toEqual([]);
  });
});
