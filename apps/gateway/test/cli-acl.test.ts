import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileMailboxStore, createFileStore, importDirectory } from '@portcullis/directory';
import { cli, cliFolder, useRedisServer } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await cliFolder(['joe@main.test', 'sam@main.test', 'ann@main.test', 'carol@other.test']));
  expect((await cli(dir, 'group', 'create', 'sales@main.test', 'sam')).code).toBe(0);
  // joe's mailboxes, as the IMAP session's CREATE leaves them
  const store = createFileMailboxStore(join(dir, 'state'));
  await store.updateMailboxes('joe@main.test', (doc) => ({
    next: { ...doc, mailboxes: { Shared: { uidValidity: 7, acl: {} }, 'Work/Plans': { uidValidity: 8, acl: {} }, Work: { uidValidity: 9, acl: {} } } },
    result: null,
  }));
  await store.close();
});
afterEach(() => cleanup());

async function joeFile(): Promise<{ mailboxes: Record<string, { uidValidity: number; acl: Record<string, string> }> }> {
  return parse(await readFile(join(dir, 'state', 'domains', 'main.test', 'mailboxes', 'joe.yaml'), 'utf8'));
}

describe('acl and mailbox commands', () => {
  it('sets, adds, removes, shows and deletes entries, kept in the owner mailbox document', async () => {
    expect(await cli(dir, 'acl', 'show', 'joe@main.test', 'Shared')).toMatchObject({ code: 0, out: 'joe@main.test Shared: (owner only)\n' });
    expect(await cli(dir, 'acl', 'set', 'joe@main.test', 'Shared', 'sam', 'lr')).toMatchObject({ code: 0, out: 'joe@main.test Shared: sam lr\n' });
    expect((await cli(dir, 'acl', 'set', 'joe@main.test', 'Shared', 'Sam@Main.Test', '+w')).out).toBe('joe@main.test Shared: sam lrw\n');
    expect((await cli(dir, 'acl', 'set', 'joe', 'Shared', 'sam', '-r')).out).toBe('joe@main.test Shared: sam lw\n');
    expect((await cli(dir, 'acl', 'set', 'joe', 'Shared', '#sales', 'l')).out).toBe('joe@main.test Shared: sam lw, #sales l\n');
    expect((await cli(dir, 'acl', 'set', 'joe', 'Shared', '-anyone', 'w')).out).toBe('joe@main.test Shared: sam lw, #sales l, -anyone w\n');
    expect((await joeFile()).mailboxes['Shared']).toEqual({ uidValidity: 7, acl: { sam: 'lw', '#sales': 'l', '-anyone': 'w' } });
    expect(await cli(dir, 'acl', 'delete', 'joe@main.test', 'Shared', '-anyone')).toMatchObject({ code: 0, out: 'joe@main.test Shared: sam lw, #sales l\n' });
    const again = await cli(dir, 'acl', 'delete', 'joe@main.test', 'Shared', '-anyone');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/has no entry for -anyone/);
    expect((await cli(dir, 'acl', 'show', 'joe@alias.test', 'Shared')).code).toBe(1);
    expect((await cli(dir, 'acl', 'show', 'joe', 'Shared')).out).toBe('joe@main.test Shared: sam lw, #sales l\n');
  });

  it('treats INBOX (any case) as always there; other mailboxes must exist', async () => {
    expect((await cli(dir, 'acl', 'set', 'carol@alias.test', 'inbox', 'joe@main.test', 'lr')).out).toBe('carol@other.test INBOX: joe@main.test lr\n');
    const doc = parse(await readFile(join(dir, 'state', 'domains', 'other.test', 'mailboxes', 'carol.yaml'), 'utf8'));
    expect(doc.mailboxes).toEqual({ INBOX: { uidValidity: 1, acl: { 'joe@main.test': 'lr' } } });
    const nope = await cli(dir, 'acl', 'set', 'joe', 'Nope', 'sam', 'lr');
    expect(nope.code).toBe(1);
    expect(nope.err).toBe('portcullis: joe@main.test has no mailbox Nope\n');
    expect((await cli(dir, 'acl', 'show', 'ghost@main.test', 'INBOX')).err).toMatch(/account ghost@main\.test does not exist/);
  });

  it('takes real names and RFC 4314 rights only, with a clear error', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['ghost', 'lr', /there is no account ghost@main\.test; an ACL names real accounts, not aliases or forwarders/],
      ['carol@alias.test', 'lr', /alias of the domain other\.test: an ACL must use the real domain name other\.test/],
      ['#nobody', 'lr', /there is no group nobody in main\.test/],
      ['x@nowhere.test', 'lr', /nowhere\.test, which is not a domain of this server/],
      ['sam', 'lq', /'q' in 'lq' is not an ACL right/],
    ];
    for (const [id, rights, reason] of cases) {
      const r = await cli(dir, 'acl', 'set', 'joe', 'Shared', id, rights);
      expect(r.code, id).toBe(2);
      expect(r.err).toMatch(reason);
    }
    expect((await cli(dir, 'acl', 'show', 'joe', 'Shared')).out).toBe('joe@main.test Shared: (owner only)\n');
    expect((await cli(dir, 'acl', 'set', 'joe', 'Shared', 'sam')).err).toMatch(/missing OWNER@DOMAIN MAILBOX IDENTIFIER RIGHTS/);
    expect((await cli(dir, 'acl', 'frob')).err).toMatch(/unknown command 'acl frob'/);
    expect((await cli(dir, 'acl', 'delete', 'joe', 'Shared', 'a b')).code).toBe(2);
  });

  it('removes an entry naming something that no longer exists (only its spelling is checked)', async () => {
    const store = createFileMailboxStore(join(dir, 'state'));
    await store.updateMailboxes('joe@main.test', (doc) => ({
      next: { ...doc, mailboxes: { ...doc.mailboxes, Shared: { uidValidity: 7, acl: { ghost: 'lr', sam: 'l' } } } },
      result: null,
    }));
    await store.close();
    expect(await cli(dir, 'acl', 'delete', 'joe', 'Shared', 'Ghost@Main.Test')).toMatchObject({ code: 0, out: 'joe@main.test Shared: sam l\n' });
  });

  it('lists mailboxes with an ACL summary, INBOX first', async () => {
    await cli(dir, 'acl', 'set', 'joe', 'Work', 'anyone', 'l');
    expect(await cli(dir, 'mailbox', 'list', 'joe@main.test')).toMatchObject({
      code: 0,
      out: 'INBOX: (owner only)\nShared: (owner only)\nWork: anyone l\nWork/Plans: (owner only)\n',
    });
    expect((await cli(dir, 'mailbox', 'list', 'carol@other.test')).out).toBe('INBOX: (owner only)\n');
    expect((await cli(dir, 'mailbox', 'list')).code).toBe(2);
  });

  it('explains effective rights step by step', async () => {
    await cli(dir, 'acl', 'set', 'joe', 'Shared', '#sales', 'lrs');
    await cli(dir, 'acl', 'set', 'joe', 'Shared', '-sam', 's');
    const r = await cli(dir, 'acl', 'effective', 'sam@main.test', 'joe@main.test', 'Shared');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('sam@main.test in joe@main.test Shared:');
    expect(r.out).toMatch(/^ {2}removed: .* -> s$/m);
    expect(r.out).toMatch(/^ {2}direct: .* -> lrs$/m);
    expect(lines.at(-2)).toBe('effective rights: lr');
    const owner = await cli(dir, 'acl', 'effective', 'joe', 'joe', 'Shared');
    expect(owner.out).toMatch(/^ {2}owner: /m);
    expect((await cli(dir, 'acl', 'effective', 'ann', 'joe', 'Shared')).out).toMatch(/effective rights: \(none\)\n$/);
  });
});

describe('export and import carry mailboxes and their ACLs', () => {
  const redis = useRedisServer();

  it('round-trips files -> export -> Redis -> export -> files, UIDVALIDITY and ACLs intact', async () => {
    await cli(dir, 'acl', 'set', 'joe', 'Shared', 'sam', 'lr');
    await cli(dir, 'acl', 'set', 'joe', 'Shared', '-anyone', 'w');
    await cli(dir, 'acl', 'set', 'carol@other.test', 'INBOX', '#sales@main.test', 'l');
    const exported = await cli(dir, 'export', 'dump');
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out).toMatch(/with the mailboxes and ACLs of 2 account\(s\)/);
    expect(parse(await readFile(join(dir, 'dump', 'domains', 'main.test', 'mailboxes', 'joe.yaml'), 'utf8')).mailboxes['Shared']).toEqual({
      uidValidity: 7,
      acl: { sam: 'lr', '-anyone': 'w' },
    });

    await writeFile(join(dir, 'redis.yaml'), `mainDomain: main.test\ndataDir: r-data\ndirectory: "redis://127.0.0.1:${redis.port}/3"\n`);
    const intoRedis = await cli(dir, 'import', 'dump', '--config', 'redis.yaml');
    expect(intoRedis.code, intoRedis.err).toBe(0);
    expect(intoRedis.out).toMatch(/with the mailboxes and ACLs of 2 account\(s\)/);
    expect((await cli(dir, 'acl', 'show', 'joe@main.test', 'Shared', '--config', 'redis.yaml')).out).toBe('joe@main.test Shared: sam lr, -anyone w\n');
    expect((await cli(dir, 'mailbox', 'list', 'carol@other.test', '--config', 'redis.yaml')).out).toBe('INBOX: #sales@main.test l\n');
    expect((await cli(dir, 'acl', 'effective', 'sam', 'joe', 'Shared', '--config', 'redis.yaml')).out).toMatch(/effective rights: lr\n$/);

    expect((await cli(dir, 'export', 'dump2', '--config', 'redis.yaml')).code).toBe(0);
    await writeFile(join(dir, 'files2.yaml'), 'mainDomain: main.test\ndataDir: state2\n');
    expect((await cli(dir, 'import', 'dump2', '--config', 'files2.yaml')).code).toBe(0);
    expect((await cli(dir, 'mailbox', 'list', 'joe', '--config', 'files2.yaml')).out).toBe(
      'INBOX: (owner only)\nShared: sam lr, -anyone w\nWork: (owner only)\nWork/Plans: (owner only)\n',
    );
    const copy = parse(await readFile(join(dir, 'state2', 'domains', 'main.test', 'mailboxes', 'joe.yaml'), 'utf8'));
    const original = (await joeFile()) as { mailboxes: unknown; nextUidValidity: number };
    expect(copy.mailboxes).toEqual(original.mailboxes);
    // UIDVALIDITY never goes back: at least what the source would hand out next
    expect(copy.nextUidValidity).toBeGreaterThanOrEqual(original.nextUidValidity);
  }, 60_000);

  it('an import replaces a document the target has (never lowering UIDVALIDITY), or keeps it with replace off', async () => {
    await cli(dir, 'acl', 'set', 'joe', 'Shared', 'sam', 'lr');
    expect((await cli(dir, 'export', 'dump')).code).toBe(0);
    const target = createFileMailboxStore(join(dir, 'target'));
    const theirs = { mailboxes: { Old: { uidValidity: 4_000_000_000, acl: { ann: 'l' } } }, nextUidValidity: 4_000_000_001 };
    await target.updateMailboxes('joe@main.test', () => ({ next: theirs, result: null }));
    const into = createFileStore(join(dir, 'target'));
    try {
      const kept = await importDirectory(join(dir, 'dump'), into, { mailboxes: target, replace: false });
      expect(kept.mailboxes).toBe(0);
      expect(await target.getMailboxes('joe@main.test')).toEqual(theirs);
      const replaced = await importDirectory(join(dir, 'dump'), into, { mailboxes: target });
      expect(replaced.mailboxes).toBe(1);
      const doc = await target.getMailboxes('joe@main.test');
      expect(Object.keys(doc.mailboxes).sort()).toEqual(['Shared', 'Work', 'Work/Plans']);
      expect(doc.mailboxes['Shared']).toEqual({ uidValidity: 7, acl: { sam: 'lr' } });
      expect(doc.nextUidValidity).toBe(4_000_000_001);
      // without a mailbox store nothing about mailboxes is said or done
      expect((await importDirectory(join(dir, 'dump'), into)).mailboxes).toBeUndefined();
    } finally {
      await into.close();
      await target.close();
    }
  });
});
