import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliFolder } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await cliFolder(['alice@main.test', 'bob@main.test', 'carol@other.test']));
});
afterEach(() => cleanup());

async function groupsFile(domain: string): Promise<unknown> {
  return parse(await readFile(join(dir, 'state', 'domains', domain, 'groups.yaml'), 'utf8'));
}

describe('group', () => {
  it('creates, shows, lists, adds, removes and deletes, keeping the domain file in step', async () => {
    expect(await cli(dir, 'group', 'create', 'sales@main.test', 'alice', 'Carol@other.test')).toMatchObject({
      code: 0,
      out: 'sales@main.test: alice, carol@other.test\n',
    });
    expect(await groupsFile('main.test')).toEqual({ sales: ['alice', 'carol@other.test'] });
    expect(await cli(dir, 'group', 'add', '#sales@main.test', 'bob', 'alice@main.test')).toMatchObject({
      code: 0,
      out: 'sales@main.test: alice, carol@other.test, bob\n',
    });
    expect(await cli(dir, 'group', 'create', 'all', '#sales')).toMatchObject({ code: 0, out: 'all@main.test: #sales\n' });
    expect((await cli(dir, 'group', 'list', 'main.test')).out).toBe('all@main.test: #sales\nsales@main.test: alice, carol@other.test, bob\n');
    expect(await cli(dir, 'group', 'remove', 'sales', 'alice@main.test', 'carol@other.test')).toMatchObject({ code: 0, out: 'sales@main.test: bob\n' });
    expect((await cli(dir, 'group', 'show', 'sales@main.test')).out).toBe('sales@main.test: bob\n');
    expect(await cli(dir, 'group', 'delete', 'sales@main.test')).toMatchObject({ code: 0, out: 'group sales@main.test deleted\n' });
    expect(await groupsFile('main.test')).toEqual({ all: ['#sales'] });
    expect((await cli(dir, 'group', 'list', 'other.test')).out).toBe('other.test: no groups\n');
  });

  it('stores a group under the real domain when given an alias, members relative to it', async () => {
    expect(await cli(dir, 'group', 'create', 'team@Alias.Test', 'carol')).toMatchObject({ code: 0, out: 'team@other.test: carol\n' });
    expect(await groupsFile('other.test')).toEqual({ team: ['carol'] });
    expect((await cli(dir, 'group', 'list', 'alias.test')).out).toBe('team@other.test: carol\n');
  });

  it('takes real names only as members, with a clear error', async () => {
    const alias = await cli(dir, 'group', 'create', 'team@main.test', 'carol@alias.test');
    expect(alias.code).toBe(2);
    expect(alias.err).toMatch(/alias of the domain other\.test: an ACL must use the real domain name other\.test/);
    const ghost = await cli(dir, 'group', 'create', 'team@main.test', 'ghost');
    expect(ghost.code).toBe(2);
    expect(ghost.err).toMatch(/there is no account ghost@main\.test; an ACL names real accounts, not aliases or forwarders/);
    expect((await cli(dir, 'group', 'create', 'team', '#nope')).err).toMatch(/there is no group nope in main\.test/);
    expect((await cli(dir, 'group', 'create', 'team', 'anyone')).err).toMatch(/a group holds accounts and groups/);
    expect((await cli(dir, 'group', 'create', 'team', 'a b')).err).toMatch(/invalid group member 'a b'/);
    expect((await cli(dir, 'group', 'list', 'main.test')).out).toBe('main.test: no groups\n');
  });

  it('refuses bad usage and missing things with the CLI exit codes', async () => {
    expect((await cli(dir, 'group', 'create', 'sales')).code).toBe(0);
    const again = await cli(dir, 'group', 'create', 'sales@main.test');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/group sales@main\.test already exists/);
    expect((await cli(dir, 'group', 'show', 'nope@main.test'))).toMatchObject({ code: 1, err: expect.stringMatching(/group nope@main\.test does not exist/) });
    expect((await cli(dir, 'group', 'delete', 'nope@main.test')).code).toBe(1);
    expect((await cli(dir, 'group', 'add', 'nope@main.test', 'bob')).code).toBe(1);
    expect((await cli(dir, 'group', 'show', 'sales@nowhere.test')).err).toMatch(/domain nowhere\.test does not exist/);
    expect((await cli(dir, 'group', 'remove', 'sales', 'bob')).err).toMatch(/not a member of sales@main\.test: bob/);
    expect((await cli(dir, 'group', 'add', 'sales')).code).toBe(2);
    expect((await cli(dir, 'group', 'show')).code).toBe(2);
    expect((await cli(dir, 'group', 'show', 'sales', 'extra')).code).toBe(2);
    expect((await cli(dir, 'group', 'create', '../x@main.test')).err).toMatch(/'\.\.\/x' is not a valid group name/);
    const unknown = await cli(dir, 'group', 'frobnicate', 'sales');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'group frobnicate'/);
  });

  it('lets a removed account be taken out of a group', async () => {
    expect((await cli(dir, 'group', 'create', 'sales', 'bob')).code).toBe(0);
    // the account file goes away behind the CLI's back; its membership can still be removed
    await rm(join(dir, 'state', 'domains', 'main.test', 'accounts', 'bob.yaml'));
    expect(await cli(dir, 'group', 'remove', 'sales', 'bob@main.test')).toMatchObject({ code: 0, out: 'sales@main.test: (no members)\n' });
  });
});
