import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '@portcullis/auth-core';
import { createFileStore, createRedisStore, exportDirectory, importDirectory } from '../src/index.js';
import { useRedisServer } from './redis-fixture.js';

const redis = useRedisServer('x');
let dir: string;
const opened: DirectoryStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-export-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

function freshRedis(): { store: DirectoryStore; prefix: string } {
  const prefix = redis.freshPrefix();
  const store = createRedisStore(redis.url, { keyPrefix: prefix });
  opened.push(store);
  return { store, prefix };
}

function fileStore(path: string): DirectoryStore {
  const store = createFileStore(path);
  opened.push(store);
  return store;
}

const U_CRYPT = '{U-crpt}$1$abcdefgh$Xl3nCOpqURTfQNlW4ckcF1';

async function populate(store: DirectoryStore): Promise<void> {
  await store.setServerSettings({
    hideUnknownAccount: true,
    clientAddresses: ['10.0.0.0/8', '192.168.1.1'],
    defaultAccountSettings: { failedLoginLimit: 5, failedLoginPeriod: 60 },
    externalAuth: { program: '/usr/local/bin/helper', args: ['-v'], timeout: 10 },
  });
  await store.createDomain({ name: 'example.test', loginMethods: ['CLRTXT', 'CRAM-MD5'], aliases: ['mail.example.test'] });
  await store.createDomain({
    name: 'corp.test',
    aliases: ['corp.example', 'intranet.corp.test'],
    trustedCA: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    defaultAccountSettings: { secureMethodRequired: true, enabledServices: ['imap', 'pop'] },
  });
  await store.createDomain({ name: 'empty.test' });
  await store.createAccount({ name: 'postmaster', domain: 'example.test', settings: { password: '{clear}S3cret:with,odd chars' } });
  await store.createAccount({
    name: 'john.smith',
    domain: 'example.test',
    settings: { password: U_CRYPT, passwordEncryption: 'U-crpt', tagPasswords: { app: '{clear}App1', phone: U_CRYPT } },
  });
  await store.createAccount({ name: 'x+y', domain: 'corp.test', settings: { failedLoginLimit: 3, useOSPassword: true, osUserName: 'xy' } });
  await store.createAccount({ name: 'nopass', domain: 'corp.test', settings: {} });
}

/** Everything a store holds, through the DirectoryStore interface. */
async function dump(store: DirectoryStore): Promise<unknown> {
  const domains = [];
  for (const name of await store.listDomains()) {
    const accounts = [];
    for (const a of await store.listAccounts(name)) accounts.push(await store.getAccount(name, a));
    domains.push({ domain: await store.getDomain(name), accounts });
  }
  return { server: await store.getServerSettings(), domains };
}

/** The raw values under a prefix, with the prefix taken off the key names. */
async function rawKeys(prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.probe.keys(`${prefix}*`)).sort()) {
    const type = await redis.probe.type(key);
    const short = key.slice(prefix.length);
    if (type === 'string') out[short] = await redis.probe.get(key);
    else if (type === 'set') out[short] = (await redis.probe.smembers(key)).sort();
    else if (type === 'hash') out[short] = await redis.probe.hgetall(key);
    else out[short] = type;
  }
  return out;
}

describe('export and import', () => {
  it('round-trips Redis -> files -> a fresh Redis exactly, passwords in their stored form', async () => {
    const a = freshRedis();
    await populate(a.store);
    const exported = await exportDirectory(a.store, dir);
    expect(exported).toEqual({ domains: 3, accounts: 4, kept: 0 });

    // the export is an ordinary file-store layout
    const account = await readFile(join(dir, 'domains', 'example.test', 'accounts', 'john.smith.yaml'), 'utf8');
    expect(account).toContain(U_CRYPT);
    expect((await stat(join(dir, 'domains', 'example.test', 'accounts', 'postmaster.yaml'))).mode & 0o777).toBe(0o600);
    expect(await dump(fileStore(dir))).toEqual(await dump(a.store));

    const b = freshRedis();
    const imported = await importDirectory(dir, b.store);
    expect(imported).toEqual({ domains: 3, accounts: 4, kept: 0 });
    expect(await dump(b.store)).toEqual(await dump(a.store));
    expect(await rawKeys(b.prefix)).toEqual(await rawKeys(a.prefix));
    expect((await b.store.resolveDomain('intranet.corp.test'))?.name).toBe('corp.test');
    expect((await b.store.getAccount('example.test', 'postmaster'))?.settings.password).toBe('{clear}S3cret:with,odd chars');
  });

  it('copies a file store into another folder', async () => {
    const src = await mkdtemp(join(tmpdir(), 'portcullis-src-'));
    try {
      const from = fileStore(src);
      await populate(from);
      await exportDirectory(from, join(dir, 'copy'));
      expect(await dump(fileStore(join(dir, 'copy')))).toEqual(await dump(from));
    } finally {
      await rm(src, { recursive: true, force: true });
    }
  });

  it('updates existing entries by default, keeps them with replace: false, and leaves others alone', async () => {
    const files = fileStore(dir);
    await populate(files);
    const target = freshRedis().store;
    await target.createDomain({ name: 'example.test', loginMethods: ['NTLM'] });
    await target.createAccount({ name: 'postmaster', domain: 'example.test', settings: { password: '{clear}old' } });
    await target.createDomain({ name: 'only-here.test' });
    await target.setServerSettings({ loginsFromNonClients: 'prohibit' });

    const kept = await importDirectory(dir, target, { replace: false });
    expect(kept.kept).toBe(3); // server settings, example.test, postmaster
    expect((await target.getDomain('example.test'))?.loginMethods).toEqual(['NTLM']);
    expect((await target.getAccount('example.test', 'postmaster'))?.settings.password).toBe('{clear}old');
    expect(await target.getServerSettings()).toEqual({ loginsFromNonClients: 'prohibit' });
    expect((await target.getAccount('example.test', 'john.smith'))?.settings.password).toBe(U_CRYPT);

    const replaced = await importDirectory(dir, target);
    expect(replaced.kept).toBe(0);
    expect((await target.getDomain('example.test'))?.loginMethods).toEqual(['CLRTXT', 'CRAM-MD5']);
    expect((await target.getAccount('example.test', 'postmaster'))?.settings.password).toBe('{clear}S3cret:with,odd chars');
    expect(await target.getServerSettings()).toEqual(await files.getServerSettings());
    expect(await target.listDomains()).toEqual(['corp.test', 'empty.test', 'example.test', 'only-here.test']);
  });

  it('moves an alias from one domain to another, whatever the order', async () => {
    const files = fileStore(dir);
    // in the export, a.test holds the alias that b.test holds in the target
    await files.createDomain({ name: 'a.test', aliases: ['moving.test'] });
    await files.createDomain({ name: 'b.test' });
    const target = freshRedis().store;
    await target.createDomain({ name: 'a.test' });
    await target.createDomain({ name: 'b.test', aliases: ['moving.test'] });
    await importDirectory(dir, target);
    expect((await target.resolveDomain('moving.test'))?.name).toBe('a.test');
    expect((await target.getDomain('b.test'))?.aliases).toBeUndefined();
  });

  it('refuses a folder that holds no export, and an alias clash it cannot resolve', async () => {
    const target = freshRedis().store;
    await expect(importDirectory(join(dir, 'missing'), target)).rejects.toMatchObject({ code: 'not-found' });
    await expect(importDirectory(dir, target)).rejects.toThrow(/holds no exported directory/);

    const files = fileStore(dir);
    await files.createDomain({ name: 'a.test', aliases: ['taken.test'] });
    await target.createDomain({ name: 'other.test', aliases: ['taken.test'] });
    await expect(importDirectory(dir, target)).rejects.toMatchObject({ code: 'conflict' });
  });
});
