/**
 * Deleting accounts and domains, the same for every store (test/file-store.test.ts and
 * test/redis-store.test.ts run it): whatever the directory kept for them is gone, and nothing of
 * it comes back with a later account or domain of the same name.
 */
import { expect, it } from 'vitest';
import type { AccessRightsStore, DirectoryDeleter, DirectoryStore, GroupStore, MailboxStore } from '@portcullis/auth-core';
import { hasDirectoryDeleter } from '@portcullis/auth-core';
import { DirectoryError } from '../src/index.js';

export type FullStore = DirectoryStore & AccessRightsStore & GroupStore & DirectoryDeleter;

export function deletionTests(store: () => FullStore, mailboxes: () => MailboxStore): void {
  async function populate(): Promise<void> {
    const s = store();
    await s.createDomain({ name: 'a.test', aliases: ['alias-a.test'] });
    await s.createDomain({ name: 'b.test' });
    for (const name of ['joe', 'ann']) await s.createAccount({ name, domain: 'a.test', settings: { password: '{clear}pw' } });
    await s.createAccount({ name: 'bob', domain: 'b.test', settings: {} });
    await s.setAccessRights('a.test', { joe: ['Domain'], ann: ['KerberosKeys'] });
    await s.setGroup('a.test', 'staff', ['joe', 'ann', 'bob@b.test']);
    await s.setGroup('b.test', 'mixed', ['bob', 'joe@a.test', 'joe@alias-a.test', 'ann@a.test', '#staff@a.test']);
    await mailboxes().updateMailboxes('joe@a.test', (cur) => ({
      next: { ...cur, mailboxes: { Shared: { uidValidity: 7, acl: { 'bob@b.test': 'lr' } } } },
      result: null,
    }));
  }

  it('is a capability every store has', () => {
    expect(hasDirectoryDeleter(store())).toBe(true);
  });

  it('deletes an account with its rights, memberships and mailboxes, and leaves the others alone', async () => {
    await populate();
    const s = store();
    expect(await mailboxes().listSharingOwners()).toEqual(['joe@a.test']);
    await s.deleteAccount('a.test', 'joe');
    expect(await s.getAccount('a.test', 'joe')).toBeNull();
    expect(await s.listAccounts('a.test')).toEqual(['ann']);
    expect(await s.getAccessRights('a.test')).toEqual({ ann: ['KerberosKeys'] });
    expect((await s.getGroup('a.test', 'staff'))?.members).toEqual(['ann', 'bob@b.test']);
    expect((await s.getGroup('b.test', 'mixed'))?.members).toEqual(['bob', 'ann@a.test', '#staff@a.test']);
    expect(await s.groupsOf('joe@a.test')).toEqual([]);
    expect((await mailboxes().getMailboxes('joe@a.test')).mailboxes).toEqual({});
    expect(await mailboxes().listSharingOwners()).toEqual([]);
    // a new account of the same name starts with nothing
    await s.createAccount({ name: 'joe', domain: 'a.test', settings: {} });
    expect(await s.getAccessRights('a.test')).toEqual({ ann: ['KerberosKeys'] });
    expect(await s.groupsOf('joe@a.test')).toEqual([]);
  });

  it('answers not-found for an account that is not there, and checks names', async () => {
    await populate();
    await expect(store().deleteAccount('a.test', 'nobody')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store().deleteAccount('zzz.test', 'joe')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store().deleteAccount('a.test', '../x')).rejects.toBeInstanceOf(DirectoryError);
    expect(await store().listAccounts('a.test')).toEqual(['ann', 'joe']);
  });

  it('deletes a domain with its accounts, rights, groups, keys and aliases; other domains forget it', async () => {
    await populate();
    const s = store();
    await s.updateDomain({ ...(await s.getDomain('a.test'))!, loginMethods: ['CLRTXT'] });
    await s.deleteDomain('a.test');
    expect(await s.getDomain('a.test')).toBeNull();
    expect(await s.resolveDomain('alias-a.test')).toBeNull();
    expect(await s.listDomains()).toEqual(['b.test']);
    expect(await s.getAccount('a.test', 'joe')).toBeNull();
    expect(await s.listAccounts('a.test')).toEqual([]);
    expect(await s.getAccessRights('a.test')).toEqual({});
    expect(await s.listGroups('a.test')).toEqual([]);
    expect((await s.getGroup('b.test', 'mixed'))?.members).toEqual(['bob']);
    expect((await mailboxes().getMailboxes('joe@a.test')).mailboxes).toEqual({});
    expect(await mailboxes().listSharingOwners()).toEqual([]);
    // the alias is free for another domain, and a new domain of the same name starts empty
    await s.createDomain({ name: 'c.test', aliases: ['alias-a.test'] });
    await s.createDomain({ name: 'a.test' });
    expect(await s.getDomain('a.test')).toEqual({ name: 'a.test' });
    expect(await s.listAccounts('a.test')).toEqual([]);
    expect(await s.getAccessRights('a.test')).toEqual({});
    expect(await s.listGroups('a.test')).toEqual([]);
    expect(await s.getAccount('b.test', 'bob')).not.toBeNull();
  });

  it('answers not-found for a domain that is not there', async () => {
    await expect(store().deleteDomain('none.test')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses rights and groups for a deleted domain', async () => {
    await populate();
    const s = store();
    await s.deleteDomain('b.test');
    await expect(s.setAccessRights('b.test', { bob: ['Domain'] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(s.setGroup('b.test', 'g', ['bob'])).rejects.toMatchObject({ code: 'not-found' });
    expect((await s.getGroup('a.test', 'staff'))?.members).toEqual(['joe', 'ann']);
  });
}
