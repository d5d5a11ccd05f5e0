/** JSON settings go through the CLI's own key table and value parsers. */
import { describe, expect, it } from 'vitest';
import { AdminError } from '../src/admin/errors.js';
import { jsonAssignments } from '../src/admin/json-settings.js';
import { UsageError } from '../src/errors.js';

const values = (level: 'account' | 'domain' | 'server', settings: Record<string, unknown>) =>
  Object.fromEntries(jsonAssignments(level, settings).map((a) => [a.key, a.value]));

describe('jsonAssignments', () => {
  it('takes JSON values in the CLI spelling, nested or dotted', () => {
    expect(values('domain', { loginmethods: ['clrtxt', 'CRAM-MD5'], defaultAccountSettings: { failedLoginLimit: 3 } })).toEqual({
      loginMethods: ['CLRTXT', 'CRAM-MD5'],
      'defaultAccountSettings.failedLoginLimit': 3,
    });
    expect(values('server', { 'externalAuth.timeout': 5, externalAuth: { autoRestart: false }, hideUnknownAccount: true })).toEqual({
      'externalAuth.timeout': 5,
      'externalAuth.autoRestart': false,
      hideUnknownAccount: true,
    });
    expect(values('account', { tagPasswords: { Phone: 'Pw-1' }, enabledServices: ['IMAP'] })).toEqual({ tagPasswords: { phone: 'Pw-1' }, enabledServices: ['imap'] });
  });

  it('null removes a key; [] is an empty list only for list keys', () => {
    expect(values('domain', { loginMethods: null, aliases: [] })).toEqual({ loginMethods: undefined, aliases: [] });
    expect(() => jsonAssignments('account', { password: [] })).toThrow(UsageError);
  });

  it('refuses unknown keys, bad values and odd types with the CLI’s message, never echoing a password', () => {
    expect(() => jsonAssignments('domain', { noSuchKey: 1 })).toThrow(/unknown domain setting 'noSuchKey'/);
    expect(() => jsonAssignments('account', { failedLoginLimit: -1 })).toThrow(/bad value for failedLoginLimit/);
    expect(() => jsonAssignments('server', { clientAddresses: ['not-an-ip'] })).toThrow(/clientAddresses/);
    expect(() => jsonAssignments('account', { secureMethodRequired: { a: { b: 1 } } })).toThrow(AdminError);
    expect(() => jsonAssignments('account', { loginMethods: ['CLRTXT'] })).toThrow(/unknown account setting/);
    let message = '';
    try {
      jsonAssignments('account', { password: 'line\nbreak-Secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/bad value for password/);
    expect(message).not.toContain('Secret');
    expect(() => jsonAssignments('domain', { loginMethods: ['CLRTXT'], LOGINMETHODS: ['APOP'] })).toThrow(/given twice/);
  });
});
