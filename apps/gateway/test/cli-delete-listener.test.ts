/**
 * `account delete`, `domain delete [--force]` and `listener list|grant|deny|reset`: what they
 * refuse (the main domain, the main postmaster, a domain with accounts), what they remove, and
 * where the listener overrides are kept.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileMailboxStore } from '@portcullis/directory';
import { startRedisServer } from '@portcullis/redis-client/testing';
import { createRedisCache } from '@portcullis/session-cache';
import { cli, cliFolder } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await cliFolder(
    ['alice@main.test', 'carol@other.test', 'dave@other.test'],
    'mainDomain: main.test\ndataDir: state\nlisteners:\n  - { service: imap, port: 1143, deny: [192.0.2.0/24] }\n  - { service: http, port: 8080 }\n',
  ));
});
afterEach(() => cleanup());

const exists = (path: string) => access(path).then(() => true, () => false);

describe('account delete', () => {
  it('removes the account, its rights and its group memberships', async () => {
    expect((await cli(dir, 'rights', 'grant', 'carol@other.test', 'Domain')).code).toBe(0);
    expect((await cli(dir, 'group', 'create', 'team@other.test', 'carol', 'dave', 'alice@main.test')).code).toBe(0);
    expect((await cli(dir, 'group', 'create', 'mixed@main.test', 'alice', 'carol@other.test')).code).toBe(0);
    expect(await cli(dir, 'account', 'delete', 'Carol@Alias.Test')).toMatchObject({ code: 0, out: 'deleted account carol@other.test\n' });
    expect(await exists(join(dir, 'state', 'domains', 'other.test', 'accounts', 'carol.yaml'))).toBe(false);
    expect((await cli(dir, 'account', 'show', 'carol@other.test')).code).toBe(1);
    expect((await cli(dir, 'group', 'show', 'team@other.test')).out).toBe('team@other.test: dave, alice@main.test\n');
    expect((await cli(dir, 'group', 'show', 'mixed@main.test')).out).toBe('mixed@main.test: alice\n');
    expect(await exists(join(dir, 'state', 'domains', 'other.test', 'access.yaml'))).toBe(true);
    expect(parse(await readFile(join(dir, 'state', 'domains', 'other.test', 'access.yaml'), 'utf8'))).toEqual({});
  });

  it('removes the mailbox ACL entries naming it, in every account\'s mailboxes; a domain deletion those naming the domain', async () => {
    const mailboxes = createFileMailboxStore(join(dir, 'state'));
    const share = (owner: string, acl: Record<string, string>) =>
      mailboxes.updateMailboxes(owner, (cur) => ({ next: { ...cur, mailboxes: { Shared: { uidValidity: 1, acl } } }, result: null }));
    await share('alice@main.test', { 'carol@other.test': 'lr', '-carol@alias.test': 'w', 'dave@other.test': 'lr', 'anyone@other.test': 'l', anyone: 'l' });
    await share('dave@other.test', { carol: 'lrs', alice: 'l', 'alice@main.test': 'l' });
    expect((await cli(dir, 'account', 'delete', 'carol@other.test')).code).toBe(0);
    const acl = async (owner: string) => (await mailboxes.getMailboxes(owner)).mailboxes['Shared']?.acl;
    expect(await acl('alice@main.test')).toEqual({ 'dave@other.test': 'lr', 'anyone@other.test': 'l', anyone: 'l' });
    expect(await acl('dave@other.test')).toEqual({ alice: 'l', 'alice@main.test': 'l' });
    expect((await cli(dir, 'domain', 'delete', 'other.test', '--force')).code).toBe(0);
    expect(await acl('alice@main.test')).toEqual({ anyone: 'l' });
    expect(await mailboxes.listSharingOwners()).toEqual(['alice@main.test']);
    await mailboxes.close();
  });

  it('refuses the main postmaster, unknown accounts and extra arguments', async () => {
    expect((await cli(dir, 'account', 'create', 'postmaster@main.test', '--password', 'x')).code).toBe(0);
    const r = await cli(dir, 'account', 'delete', 'postmaster');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/postmaster@main.test cannot be deleted/);
    expect((await cli(dir, 'account', 'delete', 'nobody@other.test')).code).toBe(1);
    expect((await cli(dir, 'account', 'delete', 'alice@main.test', 'extra')).code).toBe(2);
    expect((await cli(dir, 'account', 'delete', 'alice@main.test', '--force')).code).toBe(2);
    // a postmaster of another domain is an ordinary account
    expect((await cli(dir, 'account', 'create', 'postmaster@other.test', '--password', 'x')).code).toBe(0);
    expect((await cli(dir, 'account', 'delete', 'postmaster@other.test')).code).toBe(0);
  });
});

describe('domain delete', () => {
  it('refuses a domain with accounts unless --force, and the main domain always', async () => {
    const busy = await cli(dir, 'domain', 'delete', 'other.test');
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/has 2 accounts/);
    expect((await cli(dir, 'domain', 'show', 'other.test')).code).toBe(0);
    const main = await cli(dir, 'domain', 'delete', 'main.test', '--force');
    expect(main.code).toBe(1);
    expect(main.err).toMatch(/main domain main.test cannot be deleted/);
    expect((await cli(dir, 'group', 'create', 'team@other.test', 'carol')).code).toBe(0);
    expect((await cli(dir, 'group', 'create', 'g@main.test', 'alice', 'carol@other.test', '#team@other.test')).code).toBe(0);
    expect(await cli(dir, 'domain', 'delete', 'alias.test', '--force')).toMatchObject({ code: 0, out: 'deleted domain other.test\n' });
    expect(await exists(join(dir, 'state', 'domains', 'other.test'))).toBe(false);
    expect((await cli(dir, 'domain', 'show', 'other.test')).code).toBe(1);
    expect((await cli(dir, 'group', 'show', 'g@main.test')).out).toBe('g@main.test: alice\n');
    // the alias is free again
    expect((await cli(dir, 'domain', 'create', 'third.test', 'aliases=alias.test')).code).toBe(0);
  });

  it('deletes an empty domain without --force', async () => {
    expect((await cli(dir, 'domain', 'create', 'empty.test')).code).toBe(0);
    expect(await cli(dir, 'domain', 'delete', 'empty.test')).toMatchObject({ code: 0, out: 'deleted domain empty.test\n' });
    expect((await cli(dir, 'domain', 'delete', 'empty.test')).code).toBe(1);
  });
});

describe('listener', () => {
  it('lists, overrides and resets Grant/Deny, kept in the server settings', async () => {
    const listed = parse((await cli(dir, 'listener', 'list')).out) as { listeners: Record<string, unknown>[] };
    expect(listed.listeners[0]).toMatchObject({ name: 'imap:1143', grant: [], deny: ['192.0.2.0/24'], overridden: { grant: false, deny: false } });
    expect(await cli(dir, 'listener', 'deny', 'imap:1143', '127.0.0.1', '10.0.0.0/8')).toMatchObject({
      code: 0,
      out: 'listener imap:1143: grant [] deny [127.0.0.1, 10.0.0.0/8]\n',
    });
    expect(parse(await readFile(join(dir, 'state', 'server.yaml'), 'utf8'))).toEqual({ listenerAccess: { 'imap:1143': { deny: ['127.0.0.1', '10.0.0.0/8'] } } });
    expect((await cli(dir, 'listener', 'grant', 'imap:1143', '127.0.0.0/8')).out).toBe('listener imap:1143: grant [127.0.0.0/8] deny [127.0.0.1, 10.0.0.0/8]\n');
    expect((await cli(dir, 'server', 'set', 'hideUnknownAccount=true')).code).toBe(0);
    expect(parse(await readFile(join(dir, 'state', 'server.yaml'), 'utf8'))).toMatchObject({ hideUnknownAccount: true, listenerAccess: { 'imap:1143': {} } });
    expect((await cli(dir, 'listener', 'reset', 'imap:1143')).out).toBe('listener imap:1143: grant [] deny [192.0.2.0/24]\n');
    expect(parse(await readFile(join(dir, 'state', 'server.yaml'), 'utf8'))).toEqual({ hideUnknownAccount: true });
  });

  it('refuses unknown listeners, bad ranges, http listeners and unknown verbs', async () => {
    expect((await cli(dir, 'listener', 'deny', 'imap:9999', '127.0.0.1')).code).toBe(1);
    const bad = await cli(dir, 'listener', 'deny', 'imap:1143', '300.1.1.1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/300\.1\.1\.1/);
    expect((await cli(dir, 'listener', 'deny', 'http:8080', '127.0.0.1')).code).toBe(2);
    expect((await cli(dir, 'listener', 'open', 'imap:1143')).code).toBe(2);
    expect((await cli(dir, 'listener', 'deny')).code).toBe(2);
    expect(await exists(join(dir, 'state', 'server.yaml'))).toBe(false);
  });
});

describe('with a Redis cache shared with running gateways', () => {
  it('account delete and domain delete close the deleted accounts\' WebUser sessions', async () => {
    const redis = await startRedisServer();
    const cache = await createRedisCache(redis.url);
    try {
      await writeFile(join(dir, 'portcullis.yaml'), `mainDomain: main.test\ndataDir: state\ncache: ${redis.url}\n`);
      const session = { kind: 'webuser' as const, createdAt: Date.now() };
      await cache.putSession('s-carol-1', { ...session, account: 'carol@other.test' }, 600);
      await cache.putSession('s-carol-2', { ...session, account: 'carol@other.test' }, 600);
      await cache.putSession('s-dave', { ...session, account: 'dave@other.test' }, 600);
      await cache.putSession('s-alice', { ...session, account: 'alice@main.test' }, 600);
      expect(await cli(dir, 'account', 'delete', 'carol@other.test')).toMatchObject({ code: 0, out: 'deleted account carol@other.test (closed 2 sessions)\n' });
      expect(await cache.getSession('s-carol-1')).toBeNull();
      expect(await cache.getSession('s-dave')).not.toBeNull();
      expect(await cli(dir, 'domain', 'delete', 'other.test', '--force')).toMatchObject({ code: 0, out: 'deleted domain other.test (closed 1 session)\n' });
      expect(await cache.getSession('s-dave')).toBeNull();
      expect(await cache.getSession('s-alice')).not.toBeNull();
    } finally {
      await cache.close();
      await redis.stop();
    }
  });
});
