import { readFile, stat, writeFile } from 'node:fs/promises';
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
});
afterEach(() => cleanup());

async function accountFile(domain: string, name: string): Promise<Record<string, unknown>> {
  return parse(await readFile(join(dir, 'state', 'domains', domain, 'accounts', `${name}.yaml`), 'utf8')) as Record<string, unknown>;
}

describe('main domain', () => {
  it('is created by any command when missing', async () => {
    const r = await cli(dir, 'server', 'show');
    expect(r.code).toBe(0);
    expect((await stat(join(dir, 'state', 'domains', 'main.test', 'domain.yaml'))).isFile()).toBe(true);
  });

  it('can be created explicitly with settings once, then exists', async () => {
    expect((await cli(dir, 'domain', 'create', 'main.test', 'loginMethods=CLRTXT')).code).toBe(0);
    expect((await cli(dir, 'domain', 'show', 'main.test')).out).toContain('CLRTXT');
    const again = await cli(dir, 'domain', 'create', 'main.test');
    expect(again.code).toBe(1);
    expect(again.err).toContain('domain main.test already exists');
  });
});

describe('account create stores the password per passwordEncryption', () => {
  it.each([
    ['clear', /^\{clear\}Secret-1$/],
    ['U-crpt', /^\{U-crpt\}[./0-9A-Za-z]{13}$/],
    ['UB-crpt', /^\{UB-crpt\}\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}$/],
  ])('%s, given in the same command', async (encryption, shape) => {
    const r = await cli(dir, 'account', 'create', 'alice', '--password', 'Secret-1', `passwordEncryption=${encryption}`);
    expect(r).toMatchObject({ code: 0 });
    const stored = (await accountFile('main.test', 'alice')).password as string;
    expect(stored).toMatch(shape);
    expect(await verifyStoredPassword(stored, 'Secret-1')).toBe(true);
    expect(await verifyStoredPassword(stored, 'Secret-2')).toBe(false);
  });

  it('follows the domain default, then the server default', async () => {
    await cli(dir, 'server', 'set', 'defaultAccountSettings.passwordEncryption=U-crpt');
    await cli(dir, 'domain', 'create', 'corp.test', 'defaultAccountSettings.passwordEncryption=UB-crpt');
    await cli(dir, 'account', 'create', 'a@corp.test', '--password', 'pw1');
    await cli(dir, 'account', 'create', 'b', '--password', 'pw2');
    expect((await accountFile('corp.test', 'a')).password).toMatch(/^\{UB-crpt\}/);
    expect((await accountFile('main.test', 'b')).password).toMatch(/^\{U-crpt\}/);
  });

  it('encodes tag passwords too, and account set password= likewise', async () => {
    await cli(dir, 'account', 'create', 'carol', 'passwordEncryption=UB-crpt', 'tagPasswords=app:TagPw1', 'password=Own1');
    const f = await accountFile('main.test', 'carol');
    expect(await verifyStoredPassword((f.tagPasswords as Record<string, string>).app, 'TagPw1')).toBe(true);
    expect(f.password).toMatch(/^\{UB-crpt\}/);
    expect((await cli(dir, 'account', 'set', 'carol@main.test', 'passwordEncryption=clear', 'password=Own2')).code).toBe(0);
    expect((await accountFile('main.test', 'carol')).password).toBe('{clear}Own2');
    // changing the encryption alone does not re-encode the stored password
    await cli(dir, 'account', 'set', 'carol', 'passwordEncryption=U-crpt');
    expect((await accountFile('main.test', 'carol')).password).toBe('{clear}Own2');
  });

  it('refuses two passwords in one command', async () => {
    const r = await cli(dir, 'account', 'create', 'dan', '--password', 'a', 'password=b');
    expect(r.code).toBe(2);
    expect(r.err).toContain('give the password once');
  });
});

describe('account show', () => {
  it('never prints a password or tag password, only that they exist and the tags', async () => {
    await cli(dir, 'account', 'create', 'erin', '--password', 'VerySecret9', 'tagPasswords=phone:TagSecret8,app:TagSecret7', 'failedLoginLimit=4');
    const r = await cli(dir, 'account', 'show', 'erin');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/VerySecret9|TagSecret8|TagSecret7|\{clear\}/);
    const shown = parse(r.out) as { account: string; settings: Record<string, unknown>; effective: Record<string, unknown> };
    expect(shown.account).toBe('erin@main.test');
    expect(shown.settings).toMatchObject({ password: '(set)', tagPasswords: ['app', 'phone'], failedLoginLimit: 4 });
    expect(shown.effective).toMatchObject({ failedLoginLimit: 4, failedLoginPeriod: 300, passwordEncryption: 'clear' });
  });
});

describe('addresses and domains', () => {
  it('needs the address domain to exist, and finds it by alias', async () => {
    const r = await cli(dir, 'account', 'create', 'x@nowhere.test', '--password', 'p');
    expect(r.code).toBe(1);
    expect(r.err).toContain('domain nowhere.test does not exist');
    await cli(dir, 'domain', 'create', 'corp.test', 'aliases=mail.corp.test');
    expect((await cli(dir, 'account', 'create', 'Y@Mail.Corp.Test')).code).toBe(0);
    expect(await accountFile('corp.test', 'y')).toEqual({});
  });

  it('refuses an account that exists, and unknown accounts for set and show', async () => {
    await cli(dir, 'account', 'create', 'fred');
    expect(await cli(dir, 'account', 'create', 'fred@main.test')).toMatchObject({ code: 1, err: expect.stringContaining('already exists') });
    expect(await cli(dir, 'account', 'set', 'ghost', 'failedLoginLimit=1')).toMatchObject({ code: 1 });
    expect(await cli(dir, 'account', 'show', 'ghost')).toMatchObject({ code: 1, err: expect.stringContaining('ghost@main.test does not exist') });
  });

  it('refuses bad names with exit code 2', async () => {
    expect((await cli(dir, 'account', 'create', '../etc@main.test')).code).toBe(2);
    expect((await cli(dir, 'domain', 'create', 'bad/name')).code).toBe(2);
  });

  it('refuses a bad key or value with exit code 2 and changes nothing', async () => {
    await cli(dir, 'account', 'create', 'hank', 'failedLoginLimit=2');
    const r = await cli(dir, 'account', 'set', 'hank', 'failedLoginLimit=9', 'secureMethodRequired=perhaps');
    expect(r.code).toBe(2);
    expect(r.err).toContain('secureMethodRequired');
    expect((await accountFile('main.test', 'hank')).failedLoginLimit).toBe(2);
  });

  it('domain set and show round-trip', async () => {
    await cli(dir, 'domain', 'create', 'corp.test');
    expect((await cli(dir, 'domain', 'set', 'corp.test', 'loginMethods=CLRTXT,SCRAM', 'defaultAccountSettings.secureMethodRequired=yes')).code).toBe(0);
    const shown = parse((await cli(dir, 'domain', 'show', 'corp.test')).out) as Record<string, unknown>;
    expect(shown).toMatchObject({
      domain: 'corp.test',
      main: false,
      settings: { loginMethods: ['CLRTXT', 'SCRAM'], defaultAccountSettings: { secureMethodRequired: true } },
      accounts: 0,
    });
  });

  it('server set and show round-trip', async () => {
    expect((await cli(dir, 'server', 'set', 'hideUnknownAccount=yes', 'externalAuth.args=-v,--fast')).code).toBe(0);
    const shown = parse((await cli(dir, 'server', 'show')).out) as { server: Record<string, unknown> };
    expect(shown.server).toEqual({ hideUnknownAccount: true, externalAuth: { args: ['-v', '--fast'] } });
  });
});

describe('command line', () => {
  it('refuses unknown commands and options with exit code 2', async () => {
    expect((await cli(dir, 'frobnicate')).code).toBe(2);
    expect((await cli(dir, 'domain', 'frobnicate', 'x.test')).code).toBe(2);
    expect((await cli(dir, 'server', 'show', '--colour')).code).toBe(2);
    expect((await cli(dir, 'server', 'set', '--password', 'x', 'hideUnknownAccount=yes')).code).toBe(2);
    expect((await cli(dir)).code).toBe(2);
  });

  it('takes --config', async () => {
    await writeFile(join(dir, 'other.yaml'), 'mainDomain: other.test\ndataDir: other\n');
    expect((await cli(dir, 'account', 'create', 'ivy', '--config', 'other.yaml')).code).toBe(0);
    expect((await stat(join(dir, 'other', 'domains', 'other.test', 'accounts', 'ivy.yaml'))).isFile()).toBe(true);
  });

  it('reports a bad config with exit code 2, naming the file and key', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'mainDomain: 42\n');
    const r = await cli(dir, 'server', 'show', '--config', 'bad.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`config ${join(dir, 'bad.yaml')}: mainDomain`);
  });
});
