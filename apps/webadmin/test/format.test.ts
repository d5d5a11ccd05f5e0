import { describe, expect, it } from 'vitest';
import { ACCESS_RIGHTS, LOGIN_METHODS as CORE_LOGIN_METHODS, MAIN_DOMAIN_RIGHTS as CORE_MAIN_RIGHTS } from '@portcullis/auth-core';
import { webadminRoot } from '../src/index.js';
import {
  bytesToBase64,
  DOMAIN_RIGHTS,
  formatTime,
  identifierAccount,
  LOGIN_METHODS,
  MAIN_DOMAIN_RIGHTS,
  parseLines,
  parseList,
  parseRoute,
  routeHref,
  sameList,
  shortId,
  type Route,
} from '../src/site/app/format.js';

describe('routes', () => {
  const routes: Route[] = [
    { page: 'login' },
    { page: 'domains' },
    { page: 'domain', domain: 'example.test' },
    { page: 'accounts', domain: 'example.test' },
    { page: 'account', domain: 'example.test', account: 'a/b c' },
    { page: 'kerberos', domain: 'example.test' },
    { page: 'groups', domain: 'example.test' },
    { page: 'client-addresses' },
    { page: 'login-security' },
    { page: 'helpers' },
    { page: 'login-log' },
    { page: 'effective-rights' },
    { page: 'mailboxes', domain: 'example.test', account: 'alice' },
    { page: 'effective-rights', account: 'bob@example.test', mailbox: 'alice@example.test/Shared/Sub Box&?' },
    { page: 'effective-rights', mailbox: 'alice@example.test/INBOX' },
  ];
  it.each(routes)('%o survives href and parse', (route) => {
    expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('the empty fragment is the domain list; unknown paths and bad escapes are not found', () => {
    expect(parseRoute('')).toEqual({ page: 'domains' });
    expect(parseRoute('#/')).toEqual({ page: 'domains' });
    expect(parseRoute('#/server/nothing').page).toBe('not-found');
    expect(parseRoute('#/domains/a/b/c/d/e').page).toBe('not-found');
    expect(parseRoute('#/domains/%E0%A4%A')).toEqual({ page: 'domain', domain: '%E0%A4%A' });
  });
});

describe('form values', () => {
  it('lists split on lines and commas, blanks dropped; argument lines keep their commas', () => {
    expect(parseList(' 10.0.0.0/8 \n\n192.168.1.1, 127.0.0.1 ')).toEqual(['10.0.0.0/8', '192.168.1.1', '127.0.0.1']);
    expect(parseLines('--opt=a,b\n\n  -v ')).toEqual(['--opt=a,b', '-v']);
  });

  it('base64 matches Node for large binary input', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('times: ms and s epochs, ISO text, nothing', () => {
    expect(formatTime(0 + 1_700_000_000_000)).toBe('2023-11-14 22:13:20Z');
    expect(formatTime(1_700_000_000)).toBe('2023-11-14 22:13:20Z');
    expect(formatTime('2023-11-14T22:13:20.123Z')).toBe('2023-11-14 22:13:20Z');
    expect(formatTime(undefined)).toBe('');
    expect(formatTime('not a time')).toBe('not a time');
  });
});

describe('ACL identifiers', () => {
  it('name one account, or none (anyone, groups)', () => {
    expect(identifierAccount('bob', 'example.test')).toBe('bob@example.test');
    expect(identifierAccount('-bob', 'example.test')).toBe('bob@example.test');
    expect(identifierAccount('bob@other.test', 'example.test')).toBe('bob@other.test');
    for (const id of ['anyone', 'anyone@', 'anyone@other.test', '#team', '-#team', '']) expect(identifierAccount(id, 'example.test')).toBeNull();
  });
});

describe('session IDs and lists', () => {
  it('a session ID shows as its first 8 characters only; a short one not at all', () => {
    expect(shortId('abcdefghijklmnopqrstuvwxyz')).toBe('abcdefgh\u2026');
    expect(shortId('abcdefgh')).toBe('\u2026');
  });
  it('sameList compares items in order', () => {
    expect(sameList(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameList(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameList([], ['a'])).toBe(false);
  });
});

describe('lists copied from auth-core (the browser cannot import it)', () => {
  it('Login Methods are auth-core\u2019s, in its order', () => {
    expect([...LOGIN_METHODS]).toEqual([...CORE_LOGIN_METHODS]);
  });
  it('access rights are auth-core\u2019s, main-domain ones first', () => {
    expect(MAIN_DOMAIN_RIGHTS.map((r) => r.name)).toEqual([...CORE_MAIN_RIGHTS]);
    expect([...MAIN_DOMAIN_RIGHTS, ...DOMAIN_RIGHTS].map((r) => r.name)).toEqual([...ACCESS_RIGHTS]);
  });
});

describe('webadminRoot', () => {
  it('points at dist/site of this package', () => {
    expect(webadminRoot().replace(/\\/g, '/')).toMatch(/apps\/webadmin\/(src|dist)\/site$/);
  });
});
