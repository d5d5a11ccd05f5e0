import { describe, expect, it } from 'vitest';
import { normalizeDn, parseDn, escapeDnValue, domainDn, type Filter, type SearchRequest } from '../src/codec/index.js';
import { accountEntry, domainEntry, loginNameFromBindName, matchFilter, rootDse, runSearch, selectAttributes } from '../src/index.js';

const eq = (attribute: string, value: string): Filter => ({ type: 'equality', attribute, value: Buffer.from(value) });
const b = (s: string): Buffer => Buffer.from(s);

describe('bind names', () => {
  it.each([
    ['alice@example.test', 'alice@example.test'],
    [' alice ', 'alice'],
    ['uid=alice,dc=example,dc=test', 'alice@example.test'],
    ['UID=Alice, DC=Example, DC=Test', 'Alice@example.test'],
    ['uid=alice,ou=people,dc=example,dc=test', 'alice@example.test'],
    ['uid=alice', 'alice'],
    ['uid=alice@other.test,dc=example,dc=test', 'alice@other.test'],
    ['mail=alice@example.test,ou=people,dc=example,dc=test', 'alice@example.test'],
    ['uid=a\\2cb,dc=x', 'a,b@x'],
  ])('%s → %s', (name, login) => {
    expect(loginNameFromBindName(name)).toBe(login);
  });

  it.each(['cn=admin,dc=example,dc=test', 'uid=,dc=x', 'uid=a+cn=b,dc=x', '=x', 'uid=a,dc'])('%s names no account', (name) => {
    expect(loginNameFromBindName(name)).toBeNull();
  });
});

describe('DNs', () => {
  it('parse with escapes and compare case-insensitively', () => {
    expect(parseDn('cn=a\\,b+uid=c, dc=x')).toEqual([
      [
        { type: 'cn', value: 'a,b' },
        { type: 'uid', value: 'c' },
      ],
      [{ type: 'dc', value: 'x' }],
    ]);
    expect(normalizeDn(parseDn('UID=Alice,DC=Example')!)).toBe(normalizeDn(parseDn('uid=alice, dc=example')!));
    expect(parseDn('no equals')).toBeNull();
    expect(parseDn('uid=\\ff,dc=x')).toBeNull();
    expect(parseDn('')).toEqual([]);
  });

  it('escape what RFC 4514 requires', () => {
    expect(escapeDnValue('a,b+c=d')).toBe('a\\,b\\+c\\=d');
    expect(escapeDnValue('#x ')).toBe('\\#x\\ ');
    expect(domainDn('mail.example.test')).toBe('dc=mail,dc=example,dc=test');
  });
});

describe('filter evaluation (three-valued)', () => {
  const alice = accountEntry('alice', 'example.test');
  it.each<[string, Filter, boolean | undefined]>([
    ['equality, case-insensitive', eq('UID', 'ALICE'), true],
    ['equality on mail', eq('mail', 'alice@example.test'), true],
    ['objectClass', eq('objectclass', 'inetOrgPerson'), true],
    ['no match', eq('uid', 'bob'), false],
    ['unknown attribute is Undefined', eq('telephoneNumber', '1'), undefined],
    ['presence', { type: 'present', attribute: 'mail' }, true],
    ['absence of a known attribute', { type: 'present', attribute: 'dc' }, false],
    ['initial*', { type: 'substrings', attribute: 'uid', initial: b('al'), any: [] }, true],
    ['*final', { type: 'substrings', attribute: 'mail', any: [], final: b('.test') }, true],
    ['i*any*f', { type: 'substrings', attribute: 'uid', initial: b('a'), any: [b('li')], final: b('e') }, true],
    ['overlapping initial/final', { type: 'substrings', attribute: 'uid', initial: b('alic'), any: [], final: b('ice') }, false],
    ['>=', { type: 'greaterOrEqual', attribute: 'uid', value: b('a') }, true],
    ['<=', { type: 'lessOrEqual', attribute: 'uid', value: b('a') }, false],
    ['and', { type: 'and', filters: [eq('uid', 'alice'), { type: 'present', attribute: 'cn' }] }, true],
    ['and with Undefined', { type: 'and', filters: [eq('uid', 'alice'), eq('foo', 'x')] }, undefined],
    ['and false wins', { type: 'and', filters: [eq('uid', 'bob'), eq('foo', 'x')] }, false],
    ['or true wins', { type: 'or', filters: [eq('foo', 'x'), eq('uid', 'alice')] }, true],
    ['empty and', { type: 'and', filters: [] }, true],
    ['empty or', { type: 'or', filters: [] }, false],
    ['not', { type: 'not', filter: eq('uid', 'bob') }, true],
    ['not Undefined', { type: 'not', filter: eq('foo', 'x') }, undefined],
    ['extensible', { type: 'extensible', value: b('x'), dnAttributes: false }, undefined],
  ])('%s', (_name, filter, expected) => {
    expect(matchFilter(filter, alice)).toBe(expected);
  });
});

describe('search', () => {
  const entries = [domainEntry('example.test'), ...['alice', 'bob', 'carol'].map((n) => accountEntry(n, 'example.test'))];
  const req = (over: Partial<SearchRequest>): SearchRequest => ({
    op: 'searchRequest',
    baseObject: 'dc=example,dc=test',
    scope: 2,
    derefAliases: 0,
    sizeLimit: 0,
    timeLimit: 0,
    typesOnly: false,
    filter: { type: 'present', attribute: 'objectClass' },
    attributes: [],
    ...over,
  });
  const dns = (r: ReturnType<typeof runSearch>): string[] => r.entries.map((e) => e.dn);

  it('scopes: base, one level, subtree', () => {
    expect(dns(runSearch(req({ scope: 0 }), entries, 100))).toEqual(['dc=example,dc=test']);
    expect(dns(runSearch(req({ scope: 1 }), entries, 100))).toHaveLength(3);
    expect(dns(runSearch(req({ scope: 2 }), entries, 100))).toHaveLength(4);
    expect(dns(runSearch(req({ baseObject: 'UID=Bob,DC=example,DC=test', scope: 0 }), entries, 100))).toEqual(['uid=bob,dc=example,dc=test']);
  });

  it('a missing base is noSuchObject with the matched DN; a bad one invalidDNSyntax', () => {
    const r = runSearch(req({ baseObject: 'uid=zed,dc=example,dc=test' }), entries, 100);
    expect(r.result).toMatchObject({ resultCode: 32, matchedDN: 'dc=example,dc=test' });
    expect(runSearch(req({ baseObject: 'dc=other' }), entries, 100).result).toMatchObject({ resultCode: 32, matchedDN: '' });
    expect(runSearch(req({ baseObject: 'garbage' }), entries, 100).result.resultCode).toBe(34);
  });

  it('size limits: the client\'s and the server\'s, whichever is lower', () => {
    const client = runSearch(req({ sizeLimit: 2 }), entries, 100);
    expect(client.entries).toHaveLength(2);
    expect(client.result.resultCode).toBe(4);
    const server = runSearch(req({ sizeLimit: 50 }), entries, 3);
    expect(server.entries).toHaveLength(3);
    expect(server.result.resultCode).toBe(4);
    expect(runSearch(req({ sizeLimit: 4 }), entries, 100).result.resultCode).toBe(0);
  });

  it('selects attributes: all, named, 1.1, types only', () => {
    const alice = accountEntry('alice', 'example.test');
    expect(selectAttributes(alice, [], false).map((a) => a.type)).toEqual(['objectClass', 'uid', 'mail', 'cn', 'sn']);
    expect(selectAttributes(alice, ['MAIL', 'cn;lang-en'], false)).toEqual([
      { type: 'mail', values: [b('alice@example.test')] },
      { type: 'cn', values: [b('alice')] },
    ]);
    expect(selectAttributes(alice, ['1.1'], false)).toEqual([]);
    expect(selectAttributes(alice, ['uid'], true)).toEqual([{ type: 'uid', values: [] }]);
    expect(selectAttributes(alice, ['+'], false)).toEqual([]);
  });

  it('the root DSE lists mechanisms, versions and extensions', () => {
    const dse = rootDse({ domain: 'example.test', saslMechanisms: ['PLAIN'], canStartTls: true });
    const attrs = Object.fromEntries(selectAttributes(dse, ['+'], false, true).map((a) => [a.type, a.values.map(String)]));
    expect(attrs).toMatchObject({
      namingContexts: ['dc=example,dc=test'],
      supportedLDAPVersion: ['3'],
      supportedSASLMechanisms: ['PLAIN'],
      supportedExtension: ['1.3.6.1.4.1.1466.20037', '1.3.6.1.4.1.4203.1.11.3'],
      vendorName: ['Portcullis'],
    });
    const noTls = rootDse({ domain: undefined, saslMechanisms: [], canStartTls: false });
    expect(noTls.attributes.map((a) => a.type)).not.toContain('namingContexts');
  });
});
