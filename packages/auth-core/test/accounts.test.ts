import { describe, expect, it } from 'vitest';
import { effectiveAccountSettings, encodeAccountPassword, parseLoginName, setAccountPassword } from '../src/accounts/index.js';
import { verifyStoredPassword } from '../src/passwords/index.js';
import { BUILTIN_ACCOUNT_DEFAULTS } from '../src/settings.js';
import { MAIN, MemoryDirectory } from './auth-helpers.js';

describe('parseLoginName', () => {
  it.each([
    ['alice', { user: 'alice' }],
    ['Alice@Example.TEST', { user: 'alice', domain: 'example.test' }],
    ['alice$Phone', { user: 'alice', tag: 'phone' }],
    ['alice$phone@example.test', { user: 'alice', tag: 'phone', domain: 'example.test' }],
    ['alice%example.test', { user: 'alice%example.test' }],
  ])('%s', (raw, expected) => {
    expect(parseLoginName(raw)).toEqual(expected);
  });

  it.each(['', '@example.test', 'alice@', 'a b', 'alice$@example.test', '$tag', 'a@b@c', 'x\u0000y', '../etc', 'a'.repeat(600)])(
    'refuses %j',
    (raw) => {
      expect(parseLoginName(raw)).toBeNull();
    },
  );
});

describe('effective account settings', () => {
  it('takes the account, then the domain defaults, then the server defaults, then the built-ins', () => {
    const eff = effectiveAccountSettings(
      { failedLoginLimit: 1 },
      { name: MAIN, defaultAccountSettings: { failedLoginLimit: 2, failedLoginPeriod: 20, secureMethodRequired: true } },
      { defaultAccountSettings: { failedLoginLimit: 3, failedLoginPeriod: 30, passwordEncryption: 'U-crpt', useOSPassword: true } },
    );
    expect(eff.failedLoginLimit).toBe(1);
    expect(eff.failedLoginPeriod).toBe(20);
    expect(eff.secureMethodRequired).toBe(true);
    expect(eff.passwordEncryption).toBe('U-crpt');
    expect(eff.useOSPassword).toBe(true);
    expect(eff.allowKerberos).toBe(BUILTIN_ACCOUNT_DEFAULTS.allowKerberos);
    expect(eff.useCGPassword).toBe(true);
  });

  it('an account value of false still overrides a default of true', () => {
    const eff = effectiveAccountSettings({ secureMethodRequired: false }, { name: MAIN, defaultAccountSettings: { secureMethodRequired: true } }, {});
    expect(eff.secureMethodRequired).toBe(false);
  });

  it('never inherits a password or tag passwords from defaults', () => {
    const eff = effectiveAccountSettings(
      {},
      { name: MAIN, defaultAccountSettings: { password: '{clear}domainwide', tagPasswords: { x: '{clear}y' } } },
      { defaultAccountSettings: { password: '{clear}serverwide' } },
    );
    expect(eff.password).toBeUndefined();
    expect(eff.tagPasswords).toBeUndefined();
  });
});

describe('setting passwords', () => {
  function dir(): MemoryDirectory {
    const d = new MemoryDirectory();
    d.domains.set(MAIN, { name: MAIN, aliases: ['alias.test'], defaultAccountSettings: { passwordEncryption: 'UB-crpt' } });
    d.accounts.set(`${MAIN}/alice`, { name: 'alice', domain: MAIN, settings: {} });
    return d;
  }

  it('encodes per the effective passwordEncryption (domain default here)', async () => {
    const d = dir();
    const updated = await setAccountPassword(d, 'Alice@alias.test', 'pw-one');
    expect(updated.settings.password).toMatch(/^\{UB-crpt\}\$2b\$/);
    expect(await verifyStoredPassword(d.accounts.get(`${MAIN}/alice`)!.settings.password, 'pw-one')).toBe(true);
  });

  it('the account setting wins, including one given with the password', async () => {
    const d = dir();
    const stored = await encodeAccountPassword(d, { name: 'bob', domain: MAIN, settings: { passwordEncryption: 'clear' } }, 'pw');
    expect(stored).toBe('{clear}pw');
  });

  it('sets a tag password for user$tag', async () => {
    const d = dir();
    await setAccountPassword(d, 'alice$phone', 'tagged', MAIN);
    const acct = d.accounts.get(`${MAIN}/alice`)!;
    expect(acct.settings.password).toBeUndefined();
    expect(await verifyStoredPassword(acct.settings.tagPasswords?.['phone'], 'tagged')).toBe(true);
  });

  it('changing passwordEncryption does not re-encrypt the stored password', async () => {
    const d = dir();
    d.accounts.set(`${MAIN}/alice`, { name: 'alice', domain: MAIN, settings: { passwordEncryption: 'clear' } });
    await setAccountPassword(d, 'alice@example.test', 'first');
    const acct = d.accounts.get(`${MAIN}/alice`)!;
    expect(acct.settings.password).toBe('{clear}first');
    acct.settings.passwordEncryption = 'U-crpt';
    await d.updateAccount(acct);
    expect(d.accounts.get(`${MAIN}/alice`)!.settings.password).toBe('{clear}first');
    await setAccountPassword(d, 'alice@example.test', 'second');
    expect(d.accounts.get(`${MAIN}/alice`)!.settings.password).toMatch(/^\{U-crpt\}/);
  });

  it('refuses an unknown account', async () => {
    await expect(setAccountPassword(dir(), 'nobody@example.test', 'x')).rejects.toThrow(/unknown account/);
  });
});
