import { describe, expect, it } from 'vitest';
import { AuthenticationUriError, bindNameFor, escapeDnValue, parseAuthenticationUri } from '../src/index.js';

describe('parseAuthenticationUri', () => {
  it('splits the server from the bind name template', () => {
    expect(parseAuthenticationUri('ldap://ldap.example.test:389/uid=*,ou=people,dc=example,dc=test')).toEqual({
      url: 'ldap://ldap.example.test:389',
      secure: false,
      template: 'uid=*,ou=people,dc=example,dc=test',
    });
    expect(parseAuthenticationUri('LDAPS://10.0.0.1/EXAMPLE%5C*')).toEqual({ url: 'ldaps://10.0.0.1', secure: true, template: 'EXAMPLE\\*' });
    expect(parseAuthenticationUri('ldap://[::1]:1389/*@^0').template).toBe('*@^0');
    expect(parseAuthenticationUri('ldap://h/cn=John%20*,o=x').template).toBe('cn=John *,o=x');
  });

  it('refuses what is not an LDAP URI with a bind name', () => {
    for (const bad of ['http://h/x', 'ldap://h', 'ldap://h/', 'ldap:///x', 'ldap://h:p/x', 'ldap://h/x?y', 'ldap://h/%zz', 'ldap://us er/x']) {
      expect(() => parseAuthenticationUri(bad), bad).toThrow(AuthenticationUriError);
    }
  });
});

describe('bindNameFor', () => {
  it('fills a DN, escaping what is substituted', () => {
    expect(bindNameFor('uid=*,ou=people,dc=example,dc=test', 'joe', 'example.test')).toBe('uid=joe,ou=people,dc=example,dc=test');
    expect(bindNameFor('cn=*,ou=^0,o=mail', 'joe', 'example.test')).toBe('cn=joe,ou=example.test,o=mail');
    expect(bindNameFor('uid=*,dc=x', 'a,uid=admin', 'd')).toBe('uid=a\\,uid\\=admin,dc=x');
  });

  it('passes Active Directory style names as built', () => {
    expect(bindNameFor('EXAMPLE\\*', 'joe', 'example.test')).toBe('EXAMPLE\\joe');
    expect(bindNameFor('*@^0', 'joe', 'example.test')).toBe('joe@example.test');
  });

  it('never substitutes inside a substituted value', () => {
    expect(bindNameFor('*@^0', 'a^0', 'd*')).toBe('a^0@d*');
  });

  it('escapes as RFC 4514 says', () => {
    expect(escapeDnValue('#lead')).toBe('\\#lead');
    expect(escapeDnValue(' both ')).toBe('\\ both\\ ');
    expect(escapeDnValue('a+b"c\\d<e>f;g')).toBe('a\\+b\\"c\\\\d\\<e\\>f\\;g');
  });
});
