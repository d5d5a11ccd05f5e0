/** ACL identifiers, rights strings, SETACL-style edits, group membership and real-name validation. */
import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../src/testing/index.js';
import {
  ACL_RIGHTS,
  AclError,
  aclFromRecord,
  aclSubjectFor,
  aclToRecord,
  createMemoryGroupStore,
  effectiveRights,
  groupsContaining,
  hasGroupStore,
  parseGroupMember,
  parseIdentifier,
  parseRightLetters,
  parseRightNames,
  parseRightsChange,
  removeAclEntry,
  rightNames,
  setAclEntry,
  validateAclIdentifier,
  type GroupStore,
  type ParsedIdentifier,
} from '../src/index.js';

function parsed(id: string): ParsedIdentifier {
  const p = parseIdentifier(id);
  if (p instanceof AclError) throw p;
  return p;
}

describe('parseIdentifier', () => {
  it('knows every element name of the spec, with and without prefixes', () => {
    expect(parsed('null@null')).toMatchObject({ kind: 'guest', prefix: '', name: null, domain: null, canonical: 'null@null' });
    expect(parsed('anyone')).toMatchObject({ kind: 'anyone', prefix: '', domain: null });
    expect(parsed('anyone@')).toMatchObject({ kind: 'domain', domain: null, canonical: 'anyone@' });
    expect(parsed('anyone@Company2.com')).toMatchObject({ kind: 'domain', domain: 'company2.com', canonical: 'anyone@company2.com' });
    expect(parsed('-John')).toMatchObject({ kind: 'account', prefix: '-', name: 'john', domain: null, canonical: '-john' });
    expect(parsed('+susan@company3.com')).toMatchObject({ kind: 'account', prefix: '+', name: 'susan', domain: 'company3.com' });
    expect(parsed('#Sales')).toMatchObject({ kind: 'group', name: 'sales', domain: null, canonical: '#sales' });
    expect(parsed('-#sales@Example.com')).toMatchObject({ kind: 'group', prefix: '-', name: 'sales', domain: 'example.com', canonical: '-#sales@example.com' });
    expect(parsed('+NULL@null')).toMatchObject({ kind: 'guest', prefix: '+' });
    expect(parsed('j.smith')).toMatchObject({ kind: 'account', name: 'j.smith' });
  });

  it.each([
    ['', 'empty'],
    ['+', 'no account name'],
    ['#', "no group name after '#'"],
    ['joe@', "nothing after '@'"],
    ['#team@', "nothing after '@'"],
    ['a@b@c', "more than one '@'"],
    ['joe smith', 'spaces'],
    ['joe\u0000', 'control'],
    ['joe@-bad-.com', 'not a domain name'],
    ['../etc', 'not an account name'],
    ['+-joe', 'not an account name'],
    ['@example.com', 'no account name'],
    ['x'.repeat(400), 'too long'],
  ])('refuses %j with a clear error (%s)', (id, why) => {
    const p = parseIdentifier(id);
    expect(p).toBeInstanceOf(AclError);
    expect((p as AclError).code).toBe('bad-identifier');
    expect((p as AclError).message).toContain(why);
  });
});

describe('rights', () => {
  it('has one table of RFC 4314 letters with the spec names', () => {
    expect(ACL_RIGHTS.map((r) => r.letter).join('')).toBe('lrswipkxtea');
    expect(rightNames('slr')).toEqual(['Lookup', 'Select', 'Seen']);
    expect(parseRightNames('lookup,SELECT  Seen, Delete')).toEqual({ rights: 'lrst' });
    expect(parseRightNames('Lookup, Fly')).toEqual({ bad: 'Fly' });
  });

  it('expands the obsolete c and d and refuses unknown letters', () => {
    expect(parseRightLetters('lc')).toEqual({ rights: 'lkx' });
    expect(parseRightLetters('d')).toEqual({ rights: 'te' });
    expect(parseRightLetters('lrz')).toEqual({ bad: 'z' });
    expect(parseRightsChange('+lr')).toEqual({ mode: 'add', rights: 'lr' });
    expect(parseRightsChange('-w')).toEqual({ mode: 'remove', rights: 'w' });
    expect(parseRightsChange('')).toEqual({ mode: 'replace', rights: '' });
    expect(() => parseRightsChange('+l?')).toThrow(/'\?' in '\+l\?' is not an ACL right/);
  });
});

describe('setAclEntry / removeAclEntry', () => {
  it('replaces, adds to and takes from one entry, canonical, keeping the order', () => {
    let acl = setAclEntry([], 'Anyone@', 'lrs');
    acl = setAclEntry(acl, '-John', 'rs');
    acl = setAclEntry(acl, 'anyone@', '+w');
    acl = setAclEntry(acl, '-john', '-s');
    expect(acl).toEqual([
      { identifier: 'anyone@', rights: 'lrsw' },
      { identifier: '-john', rights: 'r' },
    ]);
    expect(removeAclEntry(acl, 'ANYONE@')).toEqual([{ identifier: '-john', rights: 'r' }]);
    expect(removeAclEntry(acl, 'nobody')).toEqual(acl);
  });

  it('keeps an entry left without rights: it still takes rights away', () => {
    const acl = setAclEntry(setAclEntry([{ identifier: 'anyone', rights: 'lr' }], 'joe', 'l'), 'joe', '-l');
    expect(acl).toEqual([{ identifier: 'anyone', rights: 'lr' }, { identifier: 'joe', rights: '' }]);
    expect(effectiveRights(acl, 'o@x.test', { account: 'joe@x.test', groups: [] })).toBe('');
  });

  it('throws AclError for a bad identifier or right', () => {
    expect(() => setAclEntry([], 'a b', 'l')).toThrow(AclError);
    expect(() => setAclEntry([], 'joe', 'lq')).toThrow(/not an ACL right/);
    expect(() => removeAclEntry([], '#')).toThrow(AclError);
  });

  it('converts to and from the mapping MailboxStore keeps', () => {
    const acl = setAclEntry(setAclEntry([], 'joe', 'lr'), '#team', 'l');
    expect(aclToRecord(acl)).toEqual({ joe: 'lr', '#team': 'l' });
    expect(aclFromRecord(aclToRecord(acl))).toEqual(acl);
  });
});

describe('groups', () => {
  it('parses members relative to the group domain', () => {
    expect(parseGroupMember('Joe', 'x.test')).toMatchObject({ kind: 'account', canonical: 'joe@x.test' });
    expect(parseGroupMember('joe@y.test', 'x.test')).toMatchObject({ kind: 'account', canonical: 'joe@y.test' });
    expect(parseGroupMember('#team', 'x.test')).toMatchObject({ kind: 'group', canonical: '#team@x.test' });
    expect(parseGroupMember('joe@', 'x.test')).toBeInstanceOf(AclError);
    expect(parseGroupMember('a b', 'x.test')).toBeInstanceOf(AclError);
  });

  it('finds direct and nested memberships, across domains, surviving cycles', () => {
    const groups = [
      { name: 'dev', domain: 'x.test', members: ['joe', 'ann@y.test'] },
      { name: 'staff', domain: 'x.test', members: ['#dev', 'bob'] },
      { name: 'all', domain: 'y.test', members: ['#staff@x.test', '#all'] },
      { name: 'loop1', domain: 'x.test', members: ['#loop2', 'zed'] },
      { name: 'loop2', domain: 'x.test', members: ['#loop1'] },
      { name: 'other', domain: 'x.test', members: ['joe@y.test', 'bad name'] },
    ];
    expect(groupsContaining(groups, 'joe@x.test')).toEqual(['all@y.test', 'dev@x.test', 'staff@x.test']);
    expect(groupsContaining(groups, 'ANN@y.test')).toEqual(['all@y.test', 'dev@x.test', 'staff@x.test']);
    expect(groupsContaining(groups, 'bob@x.test')).toEqual(['all@y.test', 'staff@x.test']);
    expect(groupsContaining(groups, 'zed@x.test')).toEqual(['loop1@x.test', 'loop2@x.test']);
    expect(groupsContaining(groups, 'nobody@x.test')).toEqual([]);
  });

  it('has an in-memory store for tests, recognised by hasGroupStore', async () => {
    const store = createMemoryGroupStore();
    expect(hasGroupStore(store)).toBe(true);
    expect(hasGroupStore(new MemoryDirectory())).toBe(false);
    await store.setGroup('X.test', 'Dev', ['Joe', 'joe', 'ann@y.test']);
    expect(await store.getGroup('x.test', 'dev')).toEqual({ name: 'dev', domain: 'x.test', members: ['joe', 'ann@y.test'] });
    expect(await store.listGroups('x.test')).toHaveLength(1);
    expect(await store.groupsOf('joe@x.test')).toEqual(['dev@x.test']);
    await expect(store.setGroup('x.test', 'dev', ['a b'])).rejects.toThrow(AclError);
    await store.deleteGroup('x.test', 'dev');
    expect(await store.getGroup('x.test', 'dev')).toBeNull();
    await expect(store.deleteGroup('x.test', 'dev')).rejects.toMatchObject({ code: 'unknown-group' });
  });
});

/** A MemoryDirectory that also keeps groups, the way the real stores do. */
function directoryWithGroups(): MemoryDirectory & GroupStore {
  const dir = new MemoryDirectory();
  return Object.assign(dir, createMemoryGroupStore());
}

describe('validateAclIdentifier (real names only)', () => {
  async function setup() {
    const dir = directoryWithGroups();
    await dir.createDomain({ name: 'example.com', aliases: ['ex.com'] });
    await dir.createDomain({ name: 'company2.com' });
    await dir.createAccount({ name: 'j.smith', domain: 'example.com', settings: {} });
    await dir.createAccount({ name: 'john', domain: 'company2.com', settings: {} });
    await dir.setGroup('example.com', 'sales', ['j.smith']);
    return dir;
  }

  it('accepts real accounts, domains and groups, relative names in the owner domain', async () => {
    const dir = await setup();
    for (const id of ['null@null', 'anyone', 'anyone@', 'anyone@company2.com', 'j.smith', '-j.smith@example.com', '+john@company2.com', '#sales', '-#sales@example.com']) {
      expect(await validateAclIdentifier(id, dir, 'example.com'), id).not.toBeInstanceOf(AclError);
    }
    expect(await validateAclIdentifier('John', dir, 'company2.com')).toMatchObject({ canonical: 'john' });
  });

  it('refuses a domain alias, naming the real domain', async () => {
    const dir = await setup();
    const e = await validateAclIdentifier('j.smith@ex.com', dir, 'company2.com');
    expect(e).toMatchObject({ code: 'domain-alias' });
    expect((e as AclError).message).toContain('real domain name example.com');
    expect(await validateAclIdentifier('anyone@EX.com', dir, 'example.com')).toMatchObject({ code: 'domain-alias' });
  });

  it('refuses names that are not real accounts (an alias, a forwarder, a typo)', async () => {
    const dir = await setup();
    const e = await validateAclIdentifier('jonny', dir, 'example.com');
    expect(e).toMatchObject({ code: 'unknown-account' });
    expect((e as AclError).message).toMatch(/no account jonny@example.com.*not aliases or forwarders/);
    expect(await validateAclIdentifier('john', dir, 'example.com')).toMatchObject({ code: 'unknown-account' });
  });

  it('refuses unknown domains and groups, and groups when the store keeps none', async () => {
    const dir = await setup();
    expect(await validateAclIdentifier('anyone@nowhere.test', dir, 'example.com')).toMatchObject({ code: 'unknown-domain' });
    expect(await validateAclIdentifier('#ghosts', dir, 'example.com')).toMatchObject({ code: 'unknown-group' });
    expect(await validateAclIdentifier('#sales@company2.com', dir, 'example.com')).toMatchObject({ code: 'unknown-group' });
    const plain = new MemoryDirectory();
    await plain.createDomain({ name: 'example.com' });
    expect(await validateAclIdentifier('#sales', plain, 'example.com')).toMatchObject({ code: 'no-groups' });
    expect(await validateAclIdentifier('a b', plain, 'example.com')).toMatchObject({ code: 'bad-identifier' });
  });

  it('builds the subject of a check from the store groups', async () => {
    const dir = await setup();
    expect(await aclSubjectFor(dir, 'J.Smith@example.com')).toEqual({ account: 'j.smith@example.com', groups: ['sales@example.com'] });
    expect(await aclSubjectFor(new MemoryDirectory(), 'joe@x.test')).toEqual({ account: 'joe@x.test', groups: [] });
    const acl = [{ identifier: '#sales', rights: 'lr' }];
    expect(effectiveRights(acl, 'boss@example.com', await aclSubjectFor(dir, 'j.smith@example.com'))).toBe('lr');
  });
});
