/**
 * The behaviour every DirectoryStore must have, whatever keeps the data: the file store and the
 * Redis store both run this suite (test/file-store.test.ts, test/redis-store.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryStore } from '@portcullis/auth-core';
import { DirectoryError } from '../src/index.js';

export interface StoreFixture {
  /** an empty store */
  store: DirectoryStore;
  /** another store over the same data, as another process would open it */
  another(): DirectoryStore;
  /** close what the fixture opened and remove its data */
  cleanup(): Promise<void>;
}

export interface SuiteHandle {
  readonly store: DirectoryStore;
  readonly fixture: StoreFixture;
}

/** Registers the shared tests; the returned handle gives the current test's store to extra tests. */
export function directoryStoreSuite(setup: () => Promise<StoreFixture>): SuiteHandle {
  let fixture: StoreFixture;
  const opened: DirectoryStore[] = [];
  const another = (): DirectoryStore => {
    const s = fixture.another();
    opened.push(s);
    return s;
  };

  beforeEach(async () => {
    fixture = await setup();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await fixture.cleanup();
  });

  const handle: SuiteHandle = {
    get store() {
      return fixture.store;
    },
    get fixture() {
      return fixture;
    },
  };

  describe('server settings', () => {
    it('are empty before anything is written, then round-trip', async () => {
      const store = fixture.store;
      expect(await store.getServerSettings()).toEqual({});
      await store.setServerSettings({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
      expect(await store.getServerSettings()).toEqual({ hideUnknownAccount: true, clientAddresses: ['10.0.0.0/8'] });
      await store.setServerSettings({ defaultAccountSettings: { failedLoginLimit: 3 } });
      expect(await store.getServerSettings()).toEqual({ defaultAccountSettings: { failedLoginLimit: 3 } });
    });
  });

  describe('domains', () => {
    it('creates, reads, lists and updates a domain', async () => {
      const store = fixture.store;
      await store.createDomain({ name: 'example.test', loginMethods: ['CLRTXT'] });
      expect(await store.getDomain('example.test')).toEqual({ name: 'example.test', loginMethods: ['CLRTXT'] });
      expect(await store.getDomain('EXAMPLE.Test')).toEqual({ name: 'example.test', loginMethods: ['CLRTXT'] });
      expect(await store.listDomains()).toEqual(['example.test']);
      await store.updateDomain({ name: 'example.test', loginMethods: ['CRAM-MD5'] });
      expect((await store.getDomain('example.test'))?.loginMethods).toEqual(['CRAM-MD5']);
      await store.createDomain({ name: 'b.test' });
      await store.createDomain({ name: 'a.test' });
      expect(await store.listDomains()).toEqual(['a.test', 'b.test', 'example.test']);
    });

    it('refuses to create a domain that exists', async () => {
      const store = fixture.store;
      await store.createDomain({ name: 'a.test', loginMethods: ['CLRTXT'] });
      const err = await store.createDomain({ name: 'a.test' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DirectoryError);
      expect(err).toMatchObject({ code: 'exists', message: expect.stringMatching(/domain a\.test already exists/) });
      expect((await store.getDomain('a.test'))?.loginMethods).toEqual(['CLRTXT']);
    });

    it('refuses to update a domain that does not exist', async () => {
      await expect(fixture.store.updateDomain({ name: 'none.test' })).rejects.toMatchObject({ code: 'not-found' });
      expect(await fixture.store.getDomain('none.test')).toBeNull();
    });

    it.each(['../etc', 'a/b', 'UPPER.test', 'a..b', '-a.test', 'a\0b', '', 'a_b.test', 'a:b.test'])(
      'refuses the domain name %j',
      async (name) => {
        await expect(fixture.store.createDomain({ name })).rejects.toBeInstanceOf(DirectoryError);
        expect(await fixture.store.getDomain(name)).toBeNull();
      },
    );

    it('resolves aliases case-insensitively', async () => {
      const store = fixture.store;
      await store.createDomain({ name: 'corp.test', aliases: ['Mail.Corp.Test', 'corp.example'] });
      expect((await store.resolveDomain('MAIL.corp.test'))?.name).toBe('corp.test');
      expect((await store.resolveDomain('corp.example'))?.name).toBe('corp.test');
      expect((await store.resolveDomain('corp.test'))?.name).toBe('corp.test');
      expect((await store.resolveDomain('corp.example'))?.aliases).toEqual(['mail.corp.test', 'corp.example']);
      expect(await store.resolveDomain('other.test')).toBeNull();
      expect(await store.resolveDomain('../..')).toBeNull();
      // getDomain is by canonical name only
      expect(await store.getDomain('corp.example')).toBeNull();
    });

    it('refuses an alias that already names another domain', async () => {
      const store = fixture.store;
      await store.createDomain({ name: 'one.test', aliases: ['shared.test'] });
      await expect(store.createDomain({ name: 'two.test', aliases: ['shared.test'] })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.createDomain({ name: 'shared.test' })).rejects.toMatchObject({ code: 'conflict' });
      await store.createDomain({ name: 'three.test' });
      await expect(store.updateDomain({ name: 'three.test', aliases: ['one.test'] })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.createDomain({ name: 'self.test', aliases: ['self.test'] })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.createDomain({ name: 'bad.test', aliases: ['not a name'] })).rejects.toMatchObject({ code: 'invalid-name' });
      expect(await store.listDomains()).toEqual(['one.test', 'three.test']);
      expect((await store.resolveDomain('shared.test'))?.name).toBe('one.test');
    });

    it('frees an alias that an update drops, and keeps the ones it keeps', async () => {
      const store = fixture.store;
      await store.createDomain({ name: 'one.test', aliases: ['old.test', 'kept.test'] });
      await store.updateDomain({ name: 'one.test', aliases: ['kept.test', 'new.test'] });
      expect(await store.resolveDomain('old.test')).toBeNull();
      expect((await store.resolveDomain('kept.test'))?.name).toBe('one.test');
      expect((await store.resolveDomain('new.test'))?.name).toBe('one.test');
      await store.createDomain({ name: 'two.test', aliases: ['old.test'] });
      expect((await store.resolveDomain('old.test'))?.name).toBe('two.test');
      await store.updateDomain({ name: 'one.test' });
      expect(await store.resolveDomain('kept.test')).toBeNull();
    });
  });

  describe('accounts', () => {
    beforeEach(async () => {
      await fixture.store.createDomain({ name: 'example.test' });
    });

    it('creates an account and reads it back', async () => {
      const store = fixture.store;
      await store.createAccount({ name: 'alice', domain: 'example.test', settings: { password: '{clear}pw' } });
      expect(await store.getAccount('example.test', 'Alice')).toEqual({
        name: 'alice',
        domain: 'example.test',
        settings: { password: '{clear}pw' },
      });
      expect(await store.getAccount('EXAMPLE.test', 'alice')).not.toBeNull();
      expect(await store.getAccount('example.test', 'nobody')).toBeNull();
      expect(await store.listAccounts('example.test')).toEqual(['alice']);
      expect(await store.listAccounts('other.test')).toEqual([]);
    });

    it('updates an account', async () => {
      const store = fixture.store;
      await store.createAccount({ name: 'bob', domain: 'example.test', settings: {} });
      await store.updateAccount({ name: 'bob', domain: 'example.test', settings: { failedLoginLimit: 3, tagPasswords: { app: '{clear}x' } } });
      expect((await store.getAccount('example.test', 'bob'))?.settings).toEqual({ failedLoginLimit: 3, tagPasswords: { app: '{clear}x' } });
      expect(await store.listAccounts('example.test')).toEqual(['bob']);
    });

    it('refuses to create an account that exists, and keeps the first one', async () => {
      const store = fixture.store;
      await store.createAccount({ name: 'bob', domain: 'example.test', settings: { password: '{clear}one' } });
      const err = await store
        .createAccount({ name: 'bob', domain: 'example.test', settings: { password: '{clear}two' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DirectoryError);
      expect(err).toMatchObject({ code: 'exists', message: expect.stringMatching(/account bob@example\.test already exists/) });
      expect((await store.getAccount('example.test', 'bob'))?.settings.password).toBe('{clear}one');
    });

    it('lets exactly one of several concurrent creators of one account win', async () => {
      const stores = [fixture.store, another(), another()];
      const results = await Promise.allSettled(
        stores.map((s, i) => s.createAccount({ name: 'race', domain: 'example.test', settings: { password: `{clear}p${i}` } })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'exists' });
      }
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect((await fixture.store.getAccount('example.test', 'race'))?.settings.password).toBe(`{clear}p${winner}`);
    });

    it('lets exactly one of several concurrent creators of one domain win', async () => {
      const stores = [fixture.store, another(), another()];
      const results = await Promise.allSettled(stores.map((s) => s.createDomain({ name: 'race.test' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'exists' });
      }
    });

    it('refuses an account in a missing domain, and updates of missing accounts', async () => {
      const store = fixture.store;
      await expect(store.createAccount({ name: 'x', domain: 'missing.test', settings: {} })).rejects.toMatchObject({ code: 'not-found' });
      await expect(store.updateAccount({ name: 'x', domain: 'example.test', settings: {} })).rejects.toMatchObject({ code: 'not-found' });
      expect(await store.getAccount('example.test', 'x')).toBeNull();
      expect(await store.listAccounts('missing.test')).toEqual([]);
    });

    it.each(['../x', 'a/b', 'a..b', '.a', 'a.', 'a@b', 'a$tag', 'a%b', 'a b', 'a\0', 'a:b', 'Upper'])(
      'refuses the account name %j',
      async (name) => {
        await expect(fixture.store.createAccount({ name, domain: 'example.test', settings: {} })).rejects.toMatchObject({
          code: 'invalid-name',
        });
        expect(await fixture.store.getAccount('example.test', name)).toBeNull();
      },
    );

    it('accepts ordinary local parts', async () => {
      for (const name of ['john.smith', 'a_b', 'x+y', 'postmaster', '1']) {
        await fixture.store.createAccount({ name, domain: 'example.test', settings: {} });
      }
      expect(await fixture.store.listAccounts('example.test')).toEqual(['1', 'a_b', 'john.smith', 'postmaster', 'x+y']);
    });

    it('sees changes written by another store instance (another process) at the next lookup', async () => {
      const store = fixture.store;
      await store.createAccount({ name: 'carol', domain: 'example.test', settings: { password: '{clear}old' } });
      expect((await store.getAccount('example.test', 'carol'))?.settings.password).toBe('{clear}old');
      const other = another();
      // same length, so a cache keyed on size alone would miss it
      await other.updateAccount({ name: 'carol', domain: 'example.test', settings: { password: '{clear}new' } });
      expect((await store.getAccount('example.test', 'carol'))?.settings.password).toBe('{clear}new');
      await other.updateDomain({ name: 'example.test', aliases: ['ex.test'] });
      expect((await store.resolveDomain('ex.test'))?.name).toBe('example.test');
      await other.createDomain({ name: 'new.test' });
      await other.createAccount({ name: 'dan', domain: 'new.test', settings: {} });
      expect(await store.listDomains()).toEqual(['example.test', 'new.test']);
      expect(await store.listAccounts('new.test')).toEqual(['dan']);
      await other.setServerSettings({ hideUnknownAccount: true });
      expect(await store.getServerSettings()).toEqual({ hideUnknownAccount: true });
    });

    it('returns copies, so a caller cannot change what the next lookup sees', async () => {
      const store = fixture.store;
      await store.createAccount({ name: 'dave', domain: 'example.test', settings: { failedLoginLimit: 1 } });
      const first = await store.getAccount('example.test', 'dave');
      first!.settings.failedLoginLimit = 99;
      expect((await store.getAccount('example.test', 'dave'))?.settings.failedLoginLimit).toBe(1);
      const domain = await store.getDomain('example.test');
      domain!.loginMethods = ['NTLM'];
      expect((await store.getDomain('example.test'))?.loginMethods).toBeUndefined();
    });
  });

  return handle;
}
