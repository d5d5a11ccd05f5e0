import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyAssignments, parseAssignments } from '../src/settings/assignments.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function apply(level: 'account' | 'domain' | 'server', args: string[], base: object = {}) {
  return applyAssignments(base, await parseAssignments(level, args, dir));
}

describe('KEY=VALUE parsing', () => {
  it('reads lists comma-separated, with canonical spelling and no duplicates', async () => {
    expect(await apply('domain', ['loginMethods=clrtxt, CRAM-MD5,CLRTXT'])).toEqual({ loginMethods: ['CLRTXT', 'CRAM-MD5'] });
    expect(await apply('server', ['clientAddresses=10.0.0.0/8,192.168.1.1,::1/128'])).toEqual({
      clientAddresses: ['10.0.0.0/8', '192.168.1.1', '::1/128'],
    });
    expect(await apply('account', ['enabledServices=imap,POP'])).toEqual({ enabledServices: ['imap', 'pop'] });
  });

  it('reads maps as key:value pairs (a value may contain a colon)', async () => {
    const [a] = await parseAssignments('account', ['tagPasswords=app:Secret1,Phone:Se:cret2'], dir);
    expect(a?.value).toEqual({ app: 'Secret1', phone: 'Se:cret2' });
    expect(a?.spec.secret).toBe('password-map');
  });

  it('sets nested keys with dots, keeping their siblings', async () => {
    const base = { externalAuth: { program: '/old', timeout: 5 } };
    expect(await apply('server', ['externalAuth.program=/bin/x', 'defaultAccountSettings.failedLoginLimit=3'], base)).toEqual({
      externalAuth: { program: '/bin/x', timeout: 5 },
      defaultAccountSettings: { failedLoginLimit: 3 },
    });
    expect(await apply('domain', ['defaultAccountSettings.passwordEncryption=ub-crpt'])).toEqual({
      defaultAccountSettings: { passwordEncryption: 'UB-crpt' },
    });
  });

  it('types values: booleans, integers, enums', async () => {
    expect(
      await apply('account', ['secureMethodRequired=yes', 'useOSPassword=False', 'failedLoginLimit=0', 'failedLoginPeriod=600', 'passwordEncryption=U-crpt']),
    ).toEqual({ secureMethodRequired: true, useOSPassword: false, failedLoginLimit: 0, failedLoginPeriod: 600, passwordEncryption: 'U-crpt' });
    expect(await apply('server', ['loginsFromNonClients=prohibit', 'hideUnknownAccount=true', 'externalAuth.autoRestart=no'])).toEqual({
      loginsFromNonClients: 'prohibit',
      hideUnknownAccount: true,
      externalAuth: { autoRestart: false },
    });
  });

  it('reads a value starting with @ from that file, without its final line break', async () => {
    await writeFile(join(dir, 'prog.txt'), '/usr/local/bin/auth-helper\n');
    expect(await apply('server', ['externalAuth.program=@prog.txt'])).toEqual({ externalAuth: { program: '/usr/local/bin/auth-helper' } });
  });

  it('reads a PEM CA with @file and refuses text that is not a certificate', async () => {
    await writeFile(join(dir, 'bad.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    await expect(parseAssignments('domain', ['trustedCA=@bad.pem'], dir)).rejects.toThrow(/bad value for trustedCA/);
    await expect(parseAssignments('domain', ['trustedCA=hello'], dir)).rejects.toThrow(/bad value for trustedCA: expected PEM/);
  });

  it('names a missing @file', async () => {
    await expect(parseAssignments('domain', ['trustedCA=@missing.pem'], dir)).rejects.toThrow(/trustedCA: cannot read .*missing\.pem: ENOENT/);
  });

  it('removes a key given with an empty value, and drops parents that became empty', async () => {
    const base = { failedLoginLimit: 3, passwordEncryption: 'clear', defaultAccountSettings: { failedLoginLimit: 1 } };
    expect(await apply('domain', ['defaultAccountSettings.failedLoginLimit='], { aliases: ['a.test'], ...base })).toEqual({
      aliases: ['a.test'],
      failedLoginLimit: 3,
      passwordEncryption: 'clear',
    });
  });

  it('accepts keys case-insensitively but stores the canonical spelling', async () => {
    expect(await apply('account', ['FAILEDLOGINLIMIT=2'])).toEqual({ failedLoginLimit: 2 });
  });

  it.each([
    ['account', 'colour=red', /unknown account setting 'colour'/],
    ['domain', 'password=x', /unknown domain setting 'password'/],
    ['domain', 'defaultAccountSettings.password=x', /unknown domain setting 'defaultAccountSettings\.password'/],
    ['server', 'loginMethods=CLRTXT', /unknown server setting 'loginMethods'/],
    ['server', 'externalAuth.colour=red', /unknown server setting 'externalAuth\.colour'/],
    ['account', 'noequals', /expected KEY=VALUE/],
  ] as const)('refuses the bad key in %s %s', async (level, arg, message) => {
    await expect(parseAssignments(level, [arg], dir)).rejects.toMatchObject({ message: expect.stringMatching(message), exitCode: 2 });
  });

  it.each([
    ['account', 'failedLoginLimit=-1', /bad value for failedLoginLimit: expected an integer >= 0 \(got '-1'\)/],
    ['account', 'failedLoginLimit=3x', /bad value for failedLoginLimit/],
    ['account', 'secureMethodRequired=maybe', /bad value for secureMethodRequired: expected yes, no, true or false/],
    ['account', 'passwordEncryption=rot13', /bad value for passwordEncryption: expected one of clear, U-crpt, UB-crpt/],
    ['account', 'enabledServices=imap,gopher', /bad value for enabledServices/],
    ['domain', 'loginMethods=CLRTXT,KERBEROS5', /bad value for loginMethods: expected one of CLRTXT/],
    ['domain', 'aliases=ok.test,bad_name', /bad value for aliases: 'bad_name' is not a DNS domain name/],
    ['server', 'clientAddresses=10.0.0.0/99', /bad value for clientAddresses: '10\.0\.0\.0\/99' is not an IP address or CIDR/],
    ['server', 'loginsFromNonClients=sometimes', /bad value for loginsFromNonClients/],
    ['server', 'externalAuth.timeout=0', /bad value for externalAuth\.timeout: expected an integer >= 1/],
    ['account', 'authenticationURI=http://x', /bad value for authenticationURI: expected an ldap/],
    ['account', 'tagPasswords=nocolon', /bad value for tagPasswords: expected key:value pairs/],
  ] as const)('refuses the bad value in %s %s', async (level, arg, message) => {
    await expect(parseAssignments(level, [arg], dir)).rejects.toMatchObject({ message: expect.stringMatching(message), exitCode: 2 });
  });

  it('never echoes a password in an error', async () => {
    const err = await parseAssignments('account', ['tagPasswords=app:Sekrit,Bad Tag:Sekrit2'], dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('tagPasswords');
    expect((err as Error).message).not.toContain('Sekrit');
  });

  it('refuses a key given twice', async () => {
    await expect(parseAssignments('account', ['failedLoginLimit=1', 'failedloginlimit=2'], dir)).rejects.toThrow(/failedLoginLimit is given twice/);
  });
});
