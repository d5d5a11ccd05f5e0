import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxStore } from '@portcullis/auth-core';
import { createFileMailboxStore, forgetInMailboxAcls } from '../src/index.js';

let dir: string;
let mailboxes: MailboxStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-acl-'));
  mailboxes = createFileMailboxStore(dir);
});
afterEach(async () => {
  await mailboxes.close();
  await rm(dir, { recursive: true, force: true });
});

async function share(owner: string, box: string, acl: Record<string, string>): Promise<void> {
  await mailboxes.updateMailboxes(owner, (cur) => ({
    next: { ...cur, mailboxes: { ...cur.mailboxes, [box]: { uidValidity: 1, acl } } },
    result: null,
  }));
}

const aclOf = async (owner: string, box: string) => (await mailboxes.getMailboxes(owner)).mailboxes[box]?.acl;

describe('forgetInMailboxAcls', () => {
  beforeEach(async () => {
    // joe@a.test (alias al.test) is named every way an ACL can name him
    await share('sam@a.test', 'Shared', { joe: 'lr', '-JOE': 'w', 'ann': 'lr', '#team': 'l' });
    await share('bob@b.test', 'Inbox2', { 'joe@a.test': 'lr', '+joe@al.test': 'i', joe: 'lrs', 'anyone@a.test': 'l', '#team@a.test': 'l', anyone: 'l' });
  });

  it('removes the entries naming a deleted account, relative names resolved against the owner', async () => {
    expect(await forgetInMailboxAcls(mailboxes, { kind: 'account', name: 'joe', domainNames: new Set(['a.test', 'al.test']) })).toBe(4);
    expect(await aclOf('sam@a.test', 'Shared')).toEqual({ ann: 'lr', '#team': 'l' });
    // 'joe' in bob@b.test's mailbox is joe@b.test: another account
    expect(await aclOf('bob@b.test', 'Inbox2')).toEqual({ joe: 'lrs', 'anyone@a.test': 'l', '#team@a.test': 'l', anyone: 'l' });
    expect(await forgetInMailboxAcls(mailboxes, { kind: 'account', name: 'joe', domainNames: new Set(['a.test']) })).toBe(0);
  });

  it('removes everything naming a deleted domain, and an owner left sharing nothing is no longer a sharer', async () => {
    await share('sue@c.test', 'Only', { 'ann@a.test': 'lr' });
    // sam@a.test's own mailbox goes with the domain; its relative entries name a.test too
    expect(await forgetInMailboxAcls(mailboxes, { kind: 'domain', domainNames: new Set(['a.test', 'al.test']) })).toBe(9);
    expect(await aclOf('bob@b.test', 'Inbox2')).toEqual({ joe: 'lrs', anyone: 'l' });
    expect(await aclOf('sue@c.test', 'Only')).toEqual({});
    expect(await mailboxes.listSharingOwners()).toEqual(['bob@b.test']);
  });
});
