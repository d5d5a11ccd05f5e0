import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '@portcullis/auth-core';
import { createFileStore, DirectoryError } from '../src/index.js';

let dir: string;
let store: DirectoryStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-dir-'));
  store = createFileStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('server settings', () => {
  it('are empty before anything is written, then round-trip through server.yaml', async () => {
    expect(await store.getServerSettings()).toEqual({});
    await store.setServerSettings({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
    expect(await store.getServerSettings()).toEqual({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
    const text = await readFile(join(dir, 'server.yaml'), 'utf8');
    expect(text).toContain('hideUnknownAccount: true');
  });
});

describe('domains', () => {
  it('creates, reads, lists and updates a domain in domains/<name>/domain.yaml', async () => {
    await store.createDomain({ name: 'example.test', loginMethods: ['CLRTXT'] });
    expect(await store.getDomain('example.test')).toEqual({ name: 'example.test', loginMethods: ['CLRTXT'] });
    expect(await store.getDomain('EXAMPLE.Test')).toEqual({ name: 'example.test', loginMethods: ['CLRTXT'] });
    expect(await store.listDomains()).toEqual(['example.test']);
    await store.updateDomain({ name: 'example.test', loginMethods: ['CRAM-MD5'] });
    expect((await store.getDomain('example.test'))?.loginMethods).toEqual(['CRAM-MD5']);
    const text = await readFile(join(dir, 'domains', 'example.test', 'domain.yaml'), 'utf8');
    expect(text).toMatch(/loginMethods:\n\s+- CRAM-MD5/);
  });

  it('refuses to create a domain that exists', async () => {
    await store.createDomain({ name: 'a.test' });
    await expect(store.createDomain({ name: 'a.test' })).rejects.toThrow(/domain a\.test already exists/);
  });

  it('refuses to update a domain that does not exist', async () => {
    await expect(store.updateDomain({ name: 'none.test' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it.each(['../etc', 'a/b', 'UPPER.test', 'a..b', '-a.test', 'a\0b', '', 'a_b.test'])(
    'refuses the domain name %j',
    async (name) => {
      await expect(store.createDomain({ name })).rejects.toBeInstanceOf(DirectoryError);
      expect(await store.getDomain(name)).toBeNull();
    },
  );

  it('resolves aliases case-insensitively', async () => {
    await store.createDomain({ name: 'corp.test', aliases: ['Mail.Corp.Test', 'corp.example'] });
    expect((await store.resolveDomain('MAIL.corp.test'))?.name).toBe('corp.test');
    expect((await store.resolveDomain('corp.example'))?.name).toBe('corp.test');
    expect((await store.resolveDomain('corp.test'))?.name).toBe('corp.test');
    expect(await store.resolveDomain('other.test')).toBeNull();
    expect(await store.resolveDomain('../..')).toBeNull();
    // getDomain is by canonical name only
    expect(await store.getDomain('corp.example')).toBeNull();
  });

  it('refuses an alias that already names another domain', async () => {
    await store.createDomain({ name: 'one.test', aliases: ['shared.test'] });
    await expect(store.createDomain({ name: 'two.test', aliases: ['shared.test'] })).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.createDomain({ name: 'shared.test' })).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('accounts', () => {
  beforeEach(async () => {
    await store.createDomain({ name: 'example.test' });
  });

  it('creates an account file with mode 0600 and reads it back', async () => {
    await store.createAccount({ name: 'alice', domain: 'example.test', settings: { password: '{clear}pw' } });
    const file = join(dir, 'domains', 'example.test', 'accounts', 'alice.yaml');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await store.getAccount('example.test', 'Alice')).toEqual({
      name: 'alice',
      domain: 'example.test',
      settings: { password: '{clear}pw' },
    });
    expect(await store.listAccounts('example.test')).toEqual(['alice']);
  });

  it('leaves no temporary files behind', async () => {
    await store.createAccount({ name: 'bob', domain: 'example.test', settings: {} });
    await store.updateAccount({ name: 'bob', domain: 'example.test', settings: { failedLoginLimit: 3 } });
    expect(await readdir(join(dir, 'domains', 'example.test', 'accounts'))).toEqual(['bob.yaml']);
  });

  it('refuses to create an account that exists, and keeps the first one', async () => {
    await store.createAccount({ name: 'bob', domain: 'example.test', settings: { password: '{clear}one' } });
    await expect(
      store.createAccount({ name: 'bob', domain: 'example.test', settings: { password: '{clear}two' } }),
    ).rejects.toThrow(/account bob@example\.test already exists/);
    expect((await store.getAccount('example.test', 'bob'))?.settings.password).toBe('{clear}one');
  });

  it('refuses an account in a missing domain, and updates of missing accounts', async () => {
    await expect(store.createAccount({ name: 'x', domain: 'missing.test', settings: {} })).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.updateAccount({ name: 'x', domain: 'example.test', settings: {} })).rejects.toMatchObject({ code: 'not-found' });
  });

  it.each(['../x', 'a/b', 'a..b', '.a', 'a.', 'a@b', 'a$tag', 'a%b', 'a b', 'a\0'])('refuses the account name %j', async (name) => {
    await expect(store.createAccount({ name, domain: 'example.test', settings: {} })).rejects.toMatchObject({ code: 'invalid-name' });
    expect(await store.getAccount('example.test', name)).toBeNull();
  });

  it('accepts ordinary local parts', async () => {
    for (const name of ['john.smith', 'a_b', 'x+y', 'postmaster', '1']) {
      await store.createAccount({ name, domain: 'example.test', settings: {} });
    }
    expect(await store.listAccounts('example.test')).toHaveLength(5);
  });

  it('sees changes written by another store instance (another process) at the next lookup', async () => {
    await store.createAccount({ name: 'carol', domain: 'example.test', settings: { password: '{clear}old' } });
    expect((await store.getAccount('example.test', 'carol'))?.settings.password).toBe('{clear}old');
    const other = createFileStore(dir);
    // same length, so only the inode tells them apart within one mtime tick
    await other.updateAccount({ name: 'carol', domain: 'example.test', settings: { password: '{clear}new' } });
    expect((await store.getAccount('example.test', 'carol'))?.settings.password).toBe('{clear}new');
    await other.updateDomain({ name: 'example.test', aliases: ['ex.test'] });
    expect((await store.resolveDomain('ex.test'))?.name).toBe('example.test');
  });

  it('returns copies, so a caller cannot change what the next lookup sees', async () => {
    await store.createAccount({ name: 'dave', domain: 'example.test', settings: { failedLoginLimit: 1 } });
    const first = await store.getAccount('example.test', 'dave');
    first!.settings.failedLoginLimit = 99;
    expect((await store.getAccount('example.test', 'dave'))?.settings.failedLoginLimit).toBe(1);
  });

  it('names the file when it holds broken YAML', async () => {
    await store.createAccount({ name: 'eve', domain: 'example.test', settings: {} });
    await writeFile(join(dir, 'domains', 'example.test', 'accounts', 'eve.yaml'), 'a: [unclosed\n');
    await expect(store.getAccount('example.test', 'eve')).rejects.toThrow(/eve\.yaml: not valid YAML/);
  });
});
