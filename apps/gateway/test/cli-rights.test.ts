import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliFolder, useRedisServer } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await cliFolder(['alice@main.test', 'postmaster@main.test', 'carol@other.test']));
});
afterEach(() => cleanup());

async function accessFile(domain: string): Promise<unknown> {
  return parse(await readFile(join(dir, 'state', 'domains', domain, 'access.yaml'), 'utf8'));
}

describe('rights', () => {
  it('grants, shows and revokes, keeping the domain file in step', async () => {
    expect(await cli(dir, 'rights', 'show', 'alice@main.test')).toMatchObject({ code: 0, out: 'alice@main.test: (none)\n' });
    expect(await cli(dir, 'rights', 'grant', 'alice', 'canimpersonate', 'Monitor')).toMatchObject({
      code: 0,
      out: 'alice@main.test: Monitor, CanImpersonate\n',
    });
    expect(await accessFile('main.test')).toEqual({ alice: ['Monitor', 'CanImpersonate'] });
    expect((await cli(dir, 'rights', 'show', 'alice@main.test')).out).toBe('alice@main.test: Monitor, CanImpersonate\n');
    expect((await cli(dir, 'rights', 'revoke', 'alice@main.test', 'Monitor')).out).toBe('alice@main.test: CanImpersonate\n');
    expect((await cli(dir, 'rights', 'revoke', 'alice@main.test')).out).toBe('alice@main.test: (none)\n');
    expect(await accessFile('main.test')).toEqual({});
  });

  it('a domain account gets domain rights, stored under its canonical domain even via an alias', async () => {
    expect(await cli(dir, 'rights', 'grant', 'Carol@Alias.Test', 'Domain', 'KerberosKeys')).toMatchObject({
      code: 0,
      out: 'carol@other.test: Domain, KerberosKeys\n',
    });
    expect(await accessFile('other.test')).toEqual({ carol: ['Domain', 'KerberosKeys'] });
  });

  it('refuses main-domain rights for another domain, unknown rights, and missing accounts', async () => {
    const main = await cli(dir, 'rights', 'grant', 'carol@other.test', 'Domain', 'AllDomains');
    expect(main.code).toBe(2);
    expect(main.err).toMatch(/AllDomains can only be granted to accounts of the main domain main\.test/);
    const unknown = await cli(dir, 'rights', 'grant', 'alice@main.test', 'Root');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown access right 'Root'/);
    expect((await cli(dir, 'rights', 'grant', 'alice@main.test')).code).toBe(2);
    const ghost = await cli(dir, 'rights', 'grant', 'ghost@main.test', 'Domain');
    expect(ghost.code).toBe(1);
    expect(ghost.err).toMatch(/does not exist/);
    expect((await cli(dir, 'rights', 'show', 'carol@other.test')).out).toBe('carol@other.test: (none)\n');
    expect((await cli(dir, 'rights', 'frobnicate', 'alice')).code).toBe(2);
  });

  it('the main postmaster holds Master from the start', async () => {
    expect((await cli(dir, 'rights', 'show', 'postmaster@main.test')).out).toBe(
      'postmaster@main.test: Master (Master implicit: the main domain postmaster)\n',
    );
    expect((await cli(dir, 'rights', 'show', 'postmaster@other.test')).out).toBe('postmaster@other.test: (none)\n');
  });
});

describe('rights in a Redis directory', () => {
  const redis = useRedisServer();

  it('grants, shows and revokes the same way', async () => {
    const cfg = join(dir, 'redis.yaml');
    await writeFile(cfg, `mainDomain: main.test\ndataDir: rstate\ndirectory: "redis://127.0.0.1:${redis.port}/3"\n`);
    expect((await cli(dir, 'account', 'create', 'alice@main.test', '--password', 'x', '--config', cfg)).code).toBe(0);
    expect((await cli(dir, 'rights', 'grant', 'alice@main.test', 'CanImpersonate', '--config', cfg)).out).toBe('alice@main.test: CanImpersonate\n');
    expect((await cli(dir, 'rights', 'show', 'alice@main.test', '--config', cfg)).out).toBe('alice@main.test: CanImpersonate\n');
    // nothing went to the files of the data folder
    expect((await cli(dir, 'rights', 'show', 'alice@main.test')).out).toBe('alice@main.test: (none)\n');
    expect((await cli(dir, 'rights', 'revoke', 'alice@main.test', '--config', cfg)).out).toBe('alice@main.test: (none)\n');
  });
});
