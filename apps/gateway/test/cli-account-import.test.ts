import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyStoredPassword } from '@portcullis/auth-core';
import { cli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'portcullis.yaml'), 'mainDomain: main.test\ndataDir: state\n');
  expect((await cli(dir, 'domain', 'create', 'other.test')).code).toBe(0);
});
afterEach(() => cleanup());

async function storedPassword(domain: string, name: string): Promise<string | undefined> {
  const file = await readFile(join(dir, 'state', 'domains', domain, 'accounts', `${name}.yaml`), 'utf8');
  return (parse(file) as { password?: string }).password;
}

const SHA512 = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
const SSHA = '{SSHA}YqvuoljLARhD2Hvk1b78idKV8gRPOpo5';
const MD5CRYPT = '$1$abcdefgh$xYuxUFvxUOR4Pd6a7EeUS0';

describe('account import', () => {
  it('creates and updates accounts, storing each hash as U-crpt with its prefix', async () => {
    expect((await cli(dir, 'account', 'create', 'bob@main.test', '--password', 'old', 'useOSPassword=true')).code).toBe(0);
    await writeFile(
      join(dir, 'list'),
      [
        '# legacy mail users',
        `bob@main.test:${SHA512}`,
        `carl:${SSHA}:1001:1001::/home/carl:/bin/sh`,
        '',
        `Dora@Other.Test:${MD5CRYPT}`,
      ].join('\n'),
    );
    const r = await cli(dir, 'account', 'import', 'list');
    expect(r).toMatchObject({ code: 0, out: 'imported 3 accounts: 2 created, 1 updated\n' });

    expect(await storedPassword('main.test', 'bob')).toBe(`{U-crpt}${SHA512}`);
    expect(await storedPassword('main.test', 'carl')).toBe(`{U-crpt}${SSHA}`);
    expect(await storedPassword('other.test', 'dora')).toBe(`{U-crpt}${MD5CRYPT}`);
    expect(await verifyStoredPassword(await storedPassword('main.test', 'bob'), 'Hello world!')).toBe(true);
    expect(await verifyStoredPassword(await storedPassword('main.test', 'carl'), 'secret')).toBe(true);
    expect(await verifyStoredPassword(await storedPassword('other.test', 'dora'), 'pässwörd')).toBe(true);
    // the other settings of an updated account stay
    expect((await cli(dir, 'account', 'show', 'bob@main.test')).out).toMatch(/useOSPassword: true/);
  });

  it('imports nothing when a line is bad, naming the lines but never echoing a hash', async () => {
    await writeFile(
      join(dir, 'list'),
      [`ok@main.test:${SHA512}`, 'nohash@main.test', 'weird@main.test:plaintext-password', `x@missing.test:${SSHA}`, `ok@main.test:${SSHA}`].join('\n'),
    );
    const r = await cli(dir, 'account', 'import', 'list');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 2: expected ADDRESS:HASH/);
    expect(r.err).toMatch(/line 3: the hash of weird@main.test is not in a recognised format/);
    expect(r.err).toMatch(/line 4: domain missing.test does not exist/);
    expect(r.err).toMatch(/line 5: ok@main.test appears twice/);
    expect(r.err).not.toContain('plaintext-password');
    expect(r.err).not.toContain(SSHA);
    expect((await cli(dir, 'account', 'show', 'ok@main.test')).code).not.toBe(0);
  });

  it('says when the file cannot be read, and needs exactly one FILE', async () => {
    expect(await cli(dir, 'account', 'import', 'nope')).toMatchObject({ code: 1, err: expect.stringMatching(/cannot read nope: ENOENT/) });
    expect((await cli(dir, 'account', 'import')).code).toBe(2);
    expect((await cli(dir, 'account', 'import', 'a', 'b')).code).toBe(2);
  });
});
